using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Edge.Runtime.Events;
using Edge.Server.LiveView;
using OpenCvSharp;

namespace Edge.Server.Tests.LiveView;

public sealed class LiveViewTests
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task WebSocket_Viewer_GetsJpegsOfItsFramesWithTheirLabelSets()
    {
        using var rig = new LiveViewRig();
        using var socket = await rig.Connect();

        var frames = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            var (meta, _, jpeg) = await ViewerMessages.NextFrame(socket);
            var frame = meta.GetProperty("frame").GetInt64();
            frames.Add(frame);
            Assert.Equal(LiveViewRig.Stream, meta.GetProperty("stream").GetString());
            Assert.Equal(LiveViewRig.Head, meta.GetProperty("head").GetString());
            Assert.Equal("published", meta.GetProperty("outcome").GetString());
            Assert.True(meta.GetProperty("deadline_met").GetBoolean());
            Assert.True(meta.GetProperty("latency_ms").GetProperty("inference").GetDouble() > 0);

            // The label set is the frame's own, exactly as published.
            var labels = meta.GetProperty("labels");
            Assert.Equal(frame, labels.GetProperty("frame").GetInt64());
            Assert.Equal(rig.Messages.Of(frame), labels.GetRawText());

            // The picture is that frame: the colour its number was filled with.
            using var image = Cv2.ImDecode(jpeg, ImreadModes.Color);
            Assert.Equal((64, 48), (image.Width, image.Height));
            var mean = Cv2.Mean(image);
            var (b, g, r) = LiveViewRig.ColourOf(frame);
            Assert.InRange(mean.Val0, b - 4, b + 4);
            Assert.InRange(mean.Val1, g - 4, g + 4);
            Assert.InRange(mean.Val2, r - 4, r + 4);
        }

        Assert.Equal(frames.Order(), frames);
        Assert.Equal(frames.Count, frames.Distinct().Count());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task WebSocket_FramesComeAtNoMoreThanTheCap()
    {
        using var rig = new LiveViewRig(new LiveViewOptions { MaxFps = 5 });
        using var socket = await rig.Connect();
        await ViewerMessages.NextFrame(socket);
        var pumpedBefore = rig.Pumped;
        var started = DateTime.UtcNow;

        for (var i = 0; i < 5; i++)
        {
            await ViewerMessages.NextFrame(socket);
        }

        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        Assert.InRange(seconds, 5 / 5.0 * 7 / 8 * 0.9, 10);
        Assert.True(rig.Pumped - pumpedBefore > 10, $"the pump ran {rig.Pumped - pumpedBefore} frames while five were shown");
    }

    [Fact]
    public async Task WebSocket_Events_ComeAsEdgeEventMessages_RecentOnesOnConnect()
    {
        using var rig = new LiveViewRig(startPump: false);
        var at = new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);
        rig.View.OnEvent(new PipelineEvent { Kind = PipelineEventKind.CameraLost, Stream = LiveViewRig.Stream, Frame = 7, At = at, Source = "rtsp://cam" });
        rig.View.OnEvent(new PipelineEvent { Kind = PipelineEventKind.CameraLost, Stream = "other", Frame = 1, At = at, Source = "rtsp://other" });

        using var socket = await rig.Connect();
        var backlog = await ViewerMessages.NextEvent(socket);
        rig.View.OnEvent(new PipelineEvent { Kind = PipelineEventKind.CameraRecovered, Stream = LiveViewRig.Stream, Frame = 8, At = at, Source = "rtsp://cam" });
        var live = await ViewerMessages.NextEvent(socket);

        Assert.Equal("camera_lost", backlog.GetProperty("event").GetString());
        Assert.Equal(7, backlog.GetProperty("frame").GetInt64());
        Assert.Equal("test-device", backlog.GetProperty("device").GetString());
        Assert.Equal("camera_recovered", live.GetProperty("event").GetString());
        Assert.Equal(LiveViewRig.Stream, live.GetProperty("stream").GetString());
    }

    [Fact]
    public async Task WebSocket_LabelEventsOfThePipeline_ReachTheViewer()
    {
        using var rig = new LiveViewRig(width: 32, height: 32, noise: true);
        using var socket = await rig.Connect();

        var labelEvent = await ViewerMessages.NextEvent(socket, seconds: 20);

        Assert.Contains(labelEvent.GetProperty("event").GetString(), new[] { "label_on", "label_off" });
        Assert.Contains(labelEvent.GetProperty("label").GetString(), TestBundle.LabelNames);
    }

    [Fact]
    public async Task Mjpeg_PartsParseAsJpegsOfTheStream()
    {
        using var rig = new LiveViewRig();
        using var response = await Client.GetAsync(rig.Http($"/view/streams/{LiveViewRig.Stream}/mjpeg"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("multipart/x-mixed-replace", response.Content.Headers.ContentType?.MediaType);
        var boundary = response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!;
        await using var body = await response.Content.ReadAsStreamAsync();

        var frames = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var (headers, jpeg) = await MjpegPart(body, boundary);
            Assert.Equal("image/jpeg", headers["Content-Type"]);
            frames.Add(long.Parse(headers["X-Edge-Frame"], System.Globalization.CultureInfo.InvariantCulture));
            using var image = Cv2.ImDecode(jpeg, ImreadModes.Color);
            Assert.Equal((64, 48), (image.Width, image.Height));
        }

        Assert.Equal(frames.Order(), frames);
        Assert.Equal(3, frames.Distinct().Count());
    }

    [Fact]
    public async Task Snapshot_IsAJpegOfTheNewestFrameAtItsSize()
    {
        using var rig = new LiveViewRig(width: 64, height: 48);

        using var response = await Client.GetAsync(rig.Http($"/api/v1/streams/{LiveViewRig.Stream}/snapshot.jpg"));
        var jpeg = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        using var image = Cv2.ImDecode(jpeg, ImreadModes.Color);
        Assert.Equal((64, 48), (image.Width, image.Height));
        var frame = long.Parse(response.Headers.GetValues("X-Edge-Frame").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(frame, 1, rig.Pumped);
        Assert.Equal(0, rig.View.ViewerCount);
    }

    [Fact]
    public async Task Snapshot_LargerThanTheCap_IsScaledDownKeepingItsAspect()
    {
        using var rig = new LiveViewRig(new LiveViewOptions { MaxWidth = 160, MaxHeight = 160 }, width: 320, height: 240);

        var jpeg = await Client.GetByteArrayAsync(rig.Http($"/api/v1/streams/{LiveViewRig.Stream}/snapshot.jpg"));

        using var image = Cv2.ImDecode(jpeg, ImreadModes.Color);
        Assert.Equal((160, 120), (image.Width, image.Height));
    }

    [Fact]
    public async Task Snapshot_NoFramesFlowing_Answers503WithTheReason()
    {
        using var rig = new LiveViewRig(new LiveViewOptions { SnapshotWait = TimeSpan.FromMilliseconds(300) }, startPump: false);

        using var response = await Client.GetAsync(rig.Http($"/api/v1/streams/{LiveViewRig.Stream}/snapshot.jpg"));

        await AssertError(response, HttpStatusCode.ServiceUnavailable, "stream 'cam0' delivered no frame within 0.3 s");
    }

    [Theory]
    [InlineData("/api/v1/streams/nope/snapshot.jpg")]
    [InlineData("/view/streams/nope/mjpeg")]
    [InlineData("/view/streams/nope/ws")]
    public async Task UnknownStream_Answers404NamingTheKnownOnes(string path)
    {
        using var rig = new LiveViewRig(startPump: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, rig.Http(path));
        if (path.EndsWith("/ws", StringComparison.Ordinal))
        {
            request.Headers.Connection.Add("Upgrade");
            request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
            request.Headers.Add("Sec-WebSocket-Version", "13");
            request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));
        }

        using var response = await Client.SendAsync(request);

        await AssertError(response, HttpStatusCode.NotFound, "unknown stream 'nope', expected one of the streams being labelled (cam0)");
    }

    [Fact]
    public async Task UnknownHead_Answers404NamingTheHeads()
    {
        using var rig = new LiveViewRig(startPump: false);

        using var response = await Client.GetAsync(rig.Http($"/api/v1/streams/{LiveViewRig.Stream}/snapshot.jpg?head=scene"));

        await AssertError(response, HttpStatusCode.NotFound, "stream 'cam0' has no head 'scene', expected one of tiny");
    }

    [Fact]
    public async Task WebSocketRoute_PlainRequest_Answers400()
    {
        using var rig = new LiveViewRig(startPump: false);

        using var response = await Client.GetAsync(rig.Http($"/view/streams/{LiveViewRig.Stream}/ws"));

        await AssertError(response, HttpStatusCode.BadRequest, "is a WebSocket, expected an upgrade request");
    }

    [Fact]
    public async Task Snapshot_Post_Answers405()
    {
        using var rig = new LiveViewRig(startPump: false);

        using var response = await Client.PostAsync(rig.Http($"/api/v1/streams/{LiveViewRig.Stream}/snapshot.jpg"), new StringContent(""));

        await AssertError(response, HttpStatusCode.MethodNotAllowed, "method POST not allowed");
        Assert.Equal("GET, HEAD", string.Join(", ", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task MoreViewersThanTheLimit_Answers503()
    {
        using var rig = new LiveViewRig(new LiveViewOptions { MaxViewers = 1 });
        using var first = await rig.Connect();
        await ViewerMessages.NextFrame(first);

        using var response = await Client.GetAsync(rig.Http($"/view/streams/{LiveViewRig.Stream}/mjpeg"), HttpCompletionOption.ResponseHeadersRead);

        await AssertError(response, HttpStatusCode.ServiceUnavailable, "the live view has 1 viewers already, expected at most 1");
    }

    [Fact]
    public async Task NobodyWatching_NothingIsCopiedOrEncoded_UntilSomeoneWatches()
    {
        using var rig = new LiveViewRig();
        await LiveViewRig.Eventually(() => rig.Pumped >= 30, "30 frames pumped");
        Assert.Equal(0, rig.View.Tapped);
        Assert.Equal(0, rig.View.Encoded);

        using (var socket = await rig.Connect())
        {
            await ViewerMessages.NextFrame(socket);
            await ViewerMessages.NextFrame(socket);
            Assert.True(rig.View.Encoded >= 2);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        }

        await LiveViewRig.Eventually(() => rig.View.ViewerCount == 0, "the viewer is gone");
        var encoded = rig.View.Encoded;
        var pumped = rig.Pumped;
        await LiveViewRig.Eventually(() => rig.Pumped >= pumped + 30, "30 more frames pumped");
        Assert.InRange(rig.View.Encoded, encoded, encoded + 1);
    }

    [Fact]
    public async Task StalledViewer_NeverHoldsBackTheFrameThreadOrOtherViewers_AndIsDroppedAfterTheSendTimeout()
    {
        // Noise compresses badly: 640x480 frames make ~200 KB JPEGs, so a viewer that never reads fills its socket in a few frames.
        using var rig = new LiveViewRig(new LiveViewOptions { MaxFps = 15, SendTimeout = TimeSpan.FromSeconds(6) }, width: 640, height: 480, noise: true);
        using var stalled = await StalledViewer.Connect(rig.Ws($"/view/streams/{LiveViewRig.Stream}/ws"));
        await LiveViewRig.Eventually(() => rig.View.ViewerCount == 1, "the stalled viewer is admitted");
        using var reader = await rig.Connect();

        // Viewers are listed in the order they came: the stalled one first.
        await LiveViewRig.Eventually(() => rig.View.Viewers() is [{ Dropped: > 3 }, _], "the stalled viewer misses frames");
        var pumped = rig.Pumped;
        var received = 0;
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(1.5))
        {
            await ViewerMessages.NextFrame(reader);
            received++;
        }

        Assert.True(received >= 8, $"the reading viewer got {received} frames in 1.5 s while another stalled");
        Assert.True(rig.Pumped - pumped >= 30, $"the frame thread ran {rig.Pumped - pumped} frames in 1.5 s while a viewer stalled");
        var stalledSent = rig.View.Viewers()[0].Sent;
        Assert.True(stalledSent < received, $"the stalled viewer was sent {stalledSent} frames, the reading one {received}");

        await LiveViewRig.Eventually(() => rig.View.ViewerCount == 1, "the stalled viewer is disconnected after the send timeout", seconds: 15);
        await ViewerMessages.NextFrame(reader);
    }

    [Fact]
    public async Task ServerStopping_ClosesViewersAsGoingAway_AndStopsPromptly()
    {
        var rig = new LiveViewRig();
        using var socket = await rig.Connect();
        await ViewerMessages.NextFrame(socket);

        var started = DateTime.UtcNow;
        var closing = Task.Run(rig.Dispose);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while ((await ViewerMessages.Next(socket, timeout.Token)).Type != WebSocketMessageType.Close)
        {
        }

        await closing;
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(4), $"stopping took {(DateTime.UtcNow - started).TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Page_IsServedFromTheAssembly_AndTheRootRedirectsToIt()
    {
        using var rig = new LiveViewRig(startPump: false);
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var root = await noRedirects.GetAsync(rig.Http("/"));
        using var bare = await noRedirects.GetAsync(rig.Http("/view"));
        using var page = await Client.GetAsync(rig.Http("/view/"));
        using var script = await Client.GetAsync(rig.Http("/view/view.js"));
        using var style = await Client.GetAsync(rig.Http("/view/view.css"));
        using var missing = await Client.GetAsync(rig.Http("/view/nothing.png"));

        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/view/", root.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.MovedPermanently, bare.StatusCode);
        Assert.Equal(rig.Http("/view/"), bare.Headers.Location);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("id=\"stream-template\"", html, StringComparison.Ordinal);
        Assert.Contains("src=\"view.js\"", html, StringComparison.Ordinal);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("streams/${encodeURIComponent(this.id)}/ws", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("text/css", style.Content.Headers.ContentType?.MediaType);
        await AssertError(missing, HttpStatusCode.NotFound, "not found: /view/nothing.png");
    }

    [Fact]
    public async Task StreamList_NamesConfiguredStreamsWithLabels_AndStreamsLearntFromFrames()
    {
        using var rig = new LiveViewRig(startPump: false);
        rig.View.OnFrame(FrameReports.Of(Edge.Runtime.Pipeline.FrameOutcome.Published, stream: "cam1", model: "scene"));

        using var response = await Client.GetAsync(rig.Http("/view/streams.json"));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(15, json.GetProperty("max_fps").GetDouble());
        var streams = json.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal(["cam0", "cam1"], streams.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("tiny", streams[0].GetProperty("heads")[0].GetString());
        Assert.Equal(10, streams[0].GetProperty("labels").GetArrayLength());
        Assert.Equal(0.5, streams[0].GetProperty("labels")[0].GetProperty("threshold").GetDouble());
        Assert.Equal(0.4, streams[0].GetProperty("labels")[0].GetProperty("off_threshold").GetDouble());
        Assert.Equal("scene", streams[1].GetProperty("heads")[0].GetString());
        Assert.Equal(0, streams[1].GetProperty("labels").GetArrayLength());
    }

    [Fact]
    public async Task StreamList_StreamsJoiningAndLeavingTheRun_ListedFromJoiningAndGoneAfterLeaving()
    {
        using var rig = new LiveViewRig(startPump: false);

        rig.View.OnStreamAdded(new Edge.Runtime.Options.StreamOptions { Id = "side", Source = "synthetic" });
        var joined = await StreamIds(rig);
        rig.View.OnStreamRemoved("cam0");
        var left = await StreamIds(rig);
        using var refused = await Client.GetAsync(rig.Http("/view/streams/cam0/mjpeg"));

        Assert.Equal(["cam0", "side"], joined.Select(stream => stream.GetProperty("id").GetString()));
        Assert.Equal("tiny", joined[1].GetProperty("heads")[0].GetString());
        Assert.Equal(10, joined[1].GetProperty("labels").GetArrayLength());
        Assert.Equal(["side"], left.Select(stream => stream.GetProperty("id").GetString()));
        await AssertError(refused, HttpStatusCode.NotFound, "unknown stream 'cam0', expected one of the streams being labelled (side)");
    }

    private static async Task<List<JsonElement>> StreamIds(LiveViewRig rig)
    {
        using var response = await Client.GetAsync(rig.Http("/view/streams.json"));
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("streams").EnumerateArray()];
    }

    [Fact]
    public void Options_OutOfRange_NameTheSettingAndTheRange()
    {
        var fps = Assert.Throws<ArgumentOutOfRangeException>(() => new LiveViewOptions { MaxFps = 0 });
        var quality = Assert.Throws<ArgumentOutOfRangeException>(() => new LiveViewOptions { JpegQuality = 101 });
        var twice = Assert.Throws<ArgumentException>(() => new Edge.Server.LiveView.LiveView(new LiveViewOptions { Streams = [new ViewedStream("cam0", ["a"], []), new ViewedStream("cam0", ["a"], [])] }));

        Assert.StartsWith("live view max fps is 0, expected 0.1 to 60", fps.Message, StringComparison.Ordinal);
        Assert.StartsWith("live view JPEG quality is 101, expected 1 to 100", quality.Message, StringComparison.Ordinal);
        Assert.StartsWith("live view stream 'cam0' is named twice", twice.Message, StringComparison.Ordinal);
    }

    private static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.Contains(expected, json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Reads one part (its headers and its JPEG) of a multipart/x-mixed-replace body.</summary>
    private static async Task<(Dictionary<string, string> Headers, byte[] Jpeg)> MjpegPart(Stream body, string boundary)
    {
        var line = await ReadLine(body);
        while (line.Length == 0)
        {
            line = await ReadLine(body);
        }

        Assert.Equal("--" + boundary, line);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (line = await ReadLine(body); line.Length > 0; line = await ReadLine(body))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        var jpeg = new byte[int.Parse(headers["Content-Length"], System.Globalization.CultureInfo.InvariantCulture)];
        await body.ReadExactlyAsync(jpeg);
        Assert.Equal("", await ReadLine(body));
        return (headers, jpeg);
    }

    private static async Task<string> ReadLine(Stream body)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            await body.ReadExactlyAsync(one);
            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }
    }
}
