using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Edge.Server.Hosting;
using Edge.Server.LiveView;

namespace Edge.Server.Tests.LiveView;

/// <summary>
/// The live view on a real Kestrel (port 0) fed by a real pipeline (the tiny fixture model) labelling synthetic frames
/// on a pump thread, as a camera stream would. Each frame is filled with a colour derived from its number (or with
/// noise, for large JPEGs), so a test can tell from a decoded JPEG which frame it shows.
/// </summary>
internal sealed class LiveViewRig : IDisposable
{
    public const string Stream = "cam0";
    public const string Head = "tiny";

    private readonly PipelineHarness harness = new();
    private readonly FramePipeline pipeline;
    private readonly Thread? pump;
    private readonly Frame frame;
    private readonly bool noise;
    private volatile bool stopping;
    private long pumped;

    public LiveViewRig(LiveViewOptions? options = null, int width = 64, int height = 48, bool noise = false, bool startPump = true)
    {
        this.noise = noise;
        View = new Edge.Server.LiveView.LiveView((options ?? new LiveViewOptions()) with
        {
            Device = "test-device",
            Streams = [new ViewedStream(Stream, [Head], [.. TestBundle.LabelNames.Select(name => new ViewedLabel(name, 0.5, 0.4))])],
        });
        pipeline = harness.CreatePipeline(TimeProvider.System, Messages, budgetMs: 5000, MissPolicy.Flag, events: View);
        frame = new Frame(width, height);
        Server = new EdgeServer(View);
        Server.Start("127.0.0.1:0");
        if (startPump)
        {
            pump = new Thread(Pump) { IsBackground = true, Name = "test-pump" };
            pump.Start();
        }
    }

    public Edge.Server.LiveView.LiveView View { get; }

    public EdgeServer Server { get; }

    /// <summary>Every published label set by frame number, as the pipeline's other output got it.</summary>
    public MessageRecorder Messages { get; } = new();

    /// <summary>Frames the pump has run through the pipeline.</summary>
    public long Pumped => Interlocked.Read(ref pumped);

    public Uri Http(string path) => new($"http://127.0.0.1:{Server.LocalEndpoint!.Port}{path}");

    public Uri Ws(string path) => new($"ws://127.0.0.1:{Server.LocalEndpoint!.Port}{path}");

    /// <summary>The colour (B, G, R) a colour frame numbered <paramref name="sequence"/> is filled with.</summary>
    public static (byte B, byte G, byte R) ColourOf(long sequence) =>
        ((byte)(20 + (sequence * 37 % 200)), (byte)(20 + (sequence * 71 % 200)), (byte)(20 + (sequence * 113 % 200)));

    public async Task<ClientWebSocket> Connect(string path = $"/view/streams/{Stream}/ws")
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(Ws(path), timeout.Token);
        return socket;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, or fails after <paramref name="seconds"/>.</summary>
    public static async Task Eventually(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {seconds} s: {what}");
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        stopping = true;
        pump?.Join();
        Server.Dispose();
        View.Dispose();
        pipeline.Dispose();
        harness.Dispose();
    }

    private void Pump()
    {
        var random = new Random(5);
        for (long sequence = 1; !stopping; sequence++)
        {
            if (noise)
            {
                random.NextBytes(frame.PixelSpan);
            }
            else
            {
                Fill(frame, ColourOf(sequence));
            }

            frame.Sequence = sequence;
            frame.CapturedAt = TimeProvider.System.GetTimestamp();
            pipeline.Process(frame);
            Interlocked.Increment(ref pumped);
            Thread.Sleep(5); // a camera's pace
        }
    }

    private static void Fill(Frame frame, (byte B, byte G, byte R) colour)
    {
        var pixels = frame.PixelSpan;
        for (var i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = colour.B;
            pixels[i + 1] = colour.G;
            pixels[i + 2] = colour.R;
        }
    }
}

/// <summary>Keeps each published label set (without its newline) by frame number.</summary>
internal sealed class MessageRecorder : IFrameOutput
{
    private readonly ConcurrentDictionary<long, string> messages = new();

    public string? Of(long frame) => messages.TryGetValue(frame, out var message) ? message : null;

    public void OnFrame(in FrameReport report)
    {
        if (!report.Message.IsEmpty)
        {
            messages[report.Frame] = System.Text.Encoding.UTF8.GetString(report.Message.Span).TrimEnd('\n');
        }
    }
}

/// <summary>What a WebSocket viewer receives: frames (their JSON and JPEG) and events.</summary>
internal static class ViewerMessages
{
    /// <summary>The next frame: its <c>edge.view/1</c> JSON text and the JPEG after it; events before it go to <paramref name="events"/>.</summary>
    public static async Task<(JsonElement Meta, string MetaText, byte[] Jpeg)> NextFrame(WebSocket socket, List<JsonElement>? events = null, double seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            var (type, bytes) = await Next(socket, timeout.Token);
            Assert.Equal(WebSocketMessageType.Text, type);
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            var json = JsonDocument.Parse(text).RootElement.Clone();
            if (json.GetProperty("schema").GetString() == "edge.event/1")
            {
                events?.Add(json);
                continue;
            }

            Assert.Equal("edge.view/1", json.GetProperty("schema").GetString());
            var (jpegType, jpeg) = await Next(socket, timeout.Token);
            Assert.Equal(WebSocketMessageType.Binary, jpegType);
            return (json, text, jpeg);
        }
    }

    /// <summary>The next event message, skipping frames.</summary>
    public static async Task<JsonElement> NextEvent(WebSocket socket, double seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            var (type, bytes) = await Next(socket, timeout.Token);
            if (type != WebSocketMessageType.Text)
            {
                continue;
            }

            var json = JsonDocument.Parse(bytes).RootElement.Clone();
            if (json.GetProperty("schema").GetString() == "edge.event/1")
            {
                return json;
            }
        }
    }

    public static async Task<(WebSocketMessageType Type, byte[] Bytes)> Next(WebSocket socket, CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, []);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }
}
