using Edge.Runtime.Events;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Edge.Server.Hosting;
using Edge.Server.Hosting.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace Edge.Server.LiveView;

/// <summary>
/// The live view (docs/live-view.md): a page showing each stream's video with its labels, locations, deadline,
/// latency and events, and the routes behind it. As an <see cref="IFrameOutput"/> it taps frames on the frame thread,
/// only while someone watches and at most at <see cref="LiveViewOptions.MaxFps"/>, with one copy into a reused buffer;
/// its own thread encodes them to JPEG and hands each viewer the newest, so a slow or stalled viewer only misses frames.
/// </summary>
/// <remarks>
/// Routes: <c>/view/</c> (the page, embedded in the assembly), <c>/view/streams.json</c>,
/// <c>/view/streams/{id}/ws</c> (WebSocket: per frame a text <c>edge.view/1</c> JSON, then the binary JPEG; events as
/// <c>edge.event/1</c> text), <c>/view/streams/{id}/mjpeg</c> (<c>multipart/x-mixed-replace</c>) and
/// <c>/api/v1/streams/{id}/snapshot.jpg</c>; <c>/</c> redirects to the page.
/// </remarks>
public sealed class LiveView : IServerModule, IFrameOutput, IDisposable
{
    public const string PagePath = "/view/";

    /// <summary>After a snapshot, frames keep being tapped this long, so the next snapshot is answered at once.</summary>
    public static readonly TimeSpan SnapshotLinger = TimeSpan.FromSeconds(10);

    /// <summary>A tapped frame newer than this is a snapshot as it is; an older one waits for the next frame.</summary>
    public static readonly TimeSpan SnapshotFresh = TimeSpan.FromSeconds(1);

    private const string WebRoot = "LiveView/wwwroot";

    private readonly LiveViewOptions options;
    private readonly TimeProvider time;
    private readonly long interval;
    private readonly Lock tapsGate = new();
    private readonly EventLog events = new();
    // Copied on write: streams join and leave on a control thread while requests read.
    private volatile Dictionary<string, ViewedStream> configured;
    private volatile HashSet<string> departed = [];
    private readonly FrameEncoder encoder;
    private readonly CancellationTokenSource closing = new();
    private FrameTap[] taps = [];
    private int viewerCount;
    private bool disposed;

    public LiveView(LiveViewOptions? options = null, TimeProvider? time = null)
    {
        this.options = options ?? new LiveViewOptions();
        this.time = time ?? TimeProvider.System;
        interval = (long)(this.time.TimestampFrequency / this.options.MaxFps);
        configured = [];
        foreach (var stream in this.options.Streams)
        {
            StreamId.Checked(stream.Id, nameof(options));
            if (stream.Heads.Count == 0)
            {
                throw new ArgumentException($"live view stream '{stream.Id}' names no head, expected the heads it feeds (the configured model's first)", nameof(options));
            }

            if (!configured.TryAdd(stream.Id, stream))
            {
                throw new ArgumentException($"live view stream '{stream.Id}' is named twice, expected each stream once", nameof(options));
            }

            foreach (var head in stream.Heads)
            {
                Register(stream.Id, head);
            }
        }

        encoder = new FrameEncoder(() => Volatile.Read(ref taps), events, this.options, this.time);
    }

    public LiveViewOptions Options => options;

    public IEnumerable<string> Paths => [PagePath, "/view/streams.json", "/view/streams/{id}/ws", "/view/streams/{id}/mjpeg", "/api/v1/streams/{id}/snapshot.jpg"];

    /// <summary>Viewers connected now (WebSocket and MJPEG).</summary>
    public int ViewerCount => Volatile.Read(ref viewerCount);

    /// <summary>Frames copied on the frame thread, all streams together.</summary>
    public long Tapped => Sum(tap => tap.Tapped);

    /// <summary>Frames encoded to JPEG, all streams together.</summary>
    public long Encoded => Sum(tap => tap.Encoded);

    /// <summary>Frames that could not be encoded; <see cref="LastEncodeFailure"/> says why.</summary>
    public long EncodeFailures => encoder.Failures;

    public string? LastEncodeFailure => encoder.LastFailure;

    /// <summary>Every connected viewer: its stream, head, kind, frames sent and frames it missed.</summary>
    public IReadOnlyList<(string Stream, string Head, string Kind, long Sent, long Dropped)> Viewers() =>
        [.. Volatile.Read(ref taps).SelectMany(tap => tap.Viewers.Select(viewer => (tap.Stream, tap.Head, viewer.Kind, viewer.Sent, viewer.Dropped)))];

    public void OnFrame(in FrameReport report)
    {
        var tap = Find(report.Stream, report.Model) ?? Register(report.Stream, report.Model);
        if (tap.Offer(report, time.GetTimestamp()))
        {
            encoder.Wake();
        }
    }

    public void OnEvent(in PipelineEvent pipelineEvent)
    {
        events.Record(pipelineEvent);
        if (Volatile.Read(ref viewerCount) > 0)
        {
            encoder.Wake();
        }
    }

    /// <summary>
    /// A stream joined the run: it is listed and watchable at once (before its first frame), with the heads and labels
    /// of the streams configured at start (every stream runs the same models).
    /// </summary>
    public void OnStreamAdded(StreamOptions stream)
    {
        lock (tapsGate)
        {
            var model = configured.Values.FirstOrDefault();
            var heads = model?.Heads ?? [];
            configured = new Dictionary<string, ViewedStream>(configured) { [stream.Id] = new ViewedStream(stream.Id, heads, model?.Labels ?? []) };
            departed = [.. departed.Where(id => id != stream.Id)];
        }

        foreach (var head in configured[stream.Id].Heads)
        {
            Register(stream.Id, head);
        }
    }

    /// <summary>A stream left the run: no longer listed, and new viewers of it are refused (404).</summary>
    public void OnStreamRemoved(string stream)
    {
        lock (tapsGate)
        {
            departed = [.. departed, stream];
        }
    }

    public void ConfigureServices(IServiceCollection services) =>
        services.AddWebSockets(webSockets => webSockets.KeepAliveInterval = TimeSpan.FromSeconds(15));

    public void Map(IEndpointRouteBuilder routes)
    {
        var files = new ManifestEmbeddedFileProvider(typeof(LiveView).Assembly, WebRoot);
        var page = routes.CreateApplicationBuilder();

        // Static files leave requests that routing matched to an endpoint alone; this branch is that endpoint, so it
        // clears it first (as MapFallbackToFile does).
        page.Use((context, next) =>
        {
            context.SetEndpoint(null);
            return next(context);
        });
        page.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = "/view" })
            .UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                RequestPath = "/view",
                ContentTypeProvider = new FileExtensionContentTypeProvider(),
                OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
            })
            .Run(context => ViewAnswers.Error(context, 404, $"not found: {context.Request.Path} (the live view is at {PagePath})"));
        var webSocket = routes.CreateApplicationBuilder();
        webSocket.UseWebSockets().Run(WatchOverWebSocket);
        // The page holds no data and is open; what it shows needs the view's access (docs/http.md, security).
        var pageAccess = new AccessRequirement(Access.Page);
        var dataAccess = new AccessRequirement(Access.View);
        routes.Map("/", ToThePage).WithMetadata(pageAccess);
        routes.Map("/view/{**file}", page.Build()).WithMetadata(pageAccess);
        routes.Map("/view/streams.json", StreamList).WithMetadata(dataAccess).RequireRateLimiting(ServerRateLimit.PerClient);
        routes.Map("/view/streams/{id}/ws", webSocket.Build()).WithMetadata(dataAccess).RequireRateLimiting(ServerRateLimit.PerClient);
        routes.Map("/view/streams/{id}/mjpeg", WatchAsMjpeg).WithMetadata(dataAccess).RequireRateLimiting(ServerRateLimit.PerClient);
        routes.Map("/api/v1/streams/{id}/snapshot.jpg", Snapshot).WithMetadata(dataAccess).RequireRateLimiting(ServerRateLimit.PerClient);
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        closing.Cancel();
        encoder.Dispose();
        closing.Dispose();
    }

    private static Task ToThePage(HttpContext context)
    {
        context.Response.Redirect(PagePath);
        return Task.CompletedTask;
    }

    private Task StreamList(HttpContext context)
    {
        if (ViewAnswers.RefuseOtherMethods(context, head: true, out var refused))
        {
            return refused;
        }

        var current = Present();
        var streams = current.Select(tap => tap.Stream).Distinct().Select(id => new StreamEntry(
            id,
            [.. current.Where(tap => tap.Stream == id).Select(tap => tap.Head)],
            configured.TryGetValue(id, out var known) ? known.Labels : [],
            current.Where(tap => tap.Stream == id).Sum(tap => tap.Viewers.Count)));
        return ViewAnswers.Json(context, 200, new StreamsDocument(options.MaxFps, options.MaxViewers, [.. streams]), ViewJsonContext.Default.StreamsDocument);
    }

    private async Task WatchOverWebSocket(HttpContext context)
    {
        if (ViewAnswers.RefuseOtherMethods(context, head: false, out var refused))
        {
            await refused;
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ViewAnswers.Error(context, 400, $"{context.Request.Path} is a WebSocket, expected an upgrade request (Connection: Upgrade, Upgrade: websocket); the same video without events is at /view/streams/{{id}}/mjpeg");
            return;
        }

        await Watch(context, new LiveViewer("websocket", wantsEvents: true), (viewer, tap, stop) => ViewerConnections.WebSocket(context, viewer, Backlog(tap.Stream, viewer.LiveEventsFrom), options.SendTimeout, stop));
    }

    private Task WatchAsMjpeg(HttpContext context)
    {
        if (ViewAnswers.RefuseOtherMethods(context, head: false, out var refused))
        {
            return refused;
        }

        return Watch(context, new LiveViewer("mjpeg", wantsEvents: false), (viewer, _, stop) => ViewerConnections.Mjpeg(context, viewer, options.SendTimeout, stop));
    }

    /// <summary>Admits a viewer of the stream the route names (404 when unknown, 503 when too many watch) and runs it.</summary>
    private async Task Watch(HttpContext context, LiveViewer viewer, Func<LiveViewer, FrameTap, CancellationToken, Task> run)
    {
        if (Resolve(context, out var unknown) is not { } tap)
        {
            await unknown;
            return;
        }

        if (Interlocked.Increment(ref viewerCount) > options.MaxViewers)
        {
            Interlocked.Decrement(ref viewerCount);
            await ViewAnswers.Error(context, 503, $"the live view has {options.MaxViewers} viewers already, expected at most {options.MaxViewers}: try again when one leaves");
            return;
        }

        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping, closing.Token);
        tap.Add(viewer);

        // Only now: an event recorded while it was being added is in its backlog, and the encoder skips it.
        viewer.LiveEventsFrom = events.Written;
        encoder.Wake();
        try
        {
            await run(viewer, tap, stop.Token);
        }
        finally
        {
            tap.Remove(viewer);
            viewer.Complete();
            Interlocked.Decrement(ref viewerCount);
        }
    }

    private async Task Snapshot(HttpContext context)
    {
        if (ViewAnswers.RefuseOtherMethods(context, head: true, out var refused))
        {
            await refused;
            return;
        }

        if (Resolve(context, out var unknown) is not { } tap)
        {
            await unknown;
            return;
        }

        var now = time.GetTimestamp();
        var frame = tap.Latest;
        if (frame is null || time.GetElapsedTime(frame.TappedAt, now) > SnapshotFresh)
        {
            var next = tap.NextEncoded(now + (long)(SnapshotLinger.TotalSeconds * time.TimestampFrequency));
            try
            {
                frame = await next.WaitAsync(options.SnapshotWait, time, context.RequestAborted);
            }
            catch (TimeoutException)
            {
                await ViewAnswers.Error(context, 503, $"stream '{tap.Stream}' delivered no frame within {options.SnapshotWait.TotalSeconds:0.#} s, expected a running camera (is it lost or paused?)");
                return;
            }
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "image/jpeg";
        context.Response.ContentLength = frame.Jpeg.Length;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Edge-Frame"] = frame.Frame.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(frame.Jpeg, context.RequestAborted);
        }
    }

    /// <summary>The tap the route's stream id (and <c>?head=</c>, default the stream's first head) names; else a 404 answer.</summary>
    private FrameTap? Resolve(HttpContext context, out Task unknown)
    {
        unknown = Task.CompletedTask;
        var id = context.Request.RouteValues["id"] as string ?? "";
        var head = context.Request.Query["head"].ToString();
        var current = Present();
        var ofStream = current.Where(tap => tap.Stream == id).ToList();
        if (ofStream.Count == 0)
        {
            var known = current.Length == 0 ? "none yet" : string.Join(", ", current.Select(tap => tap.Stream).Distinct());
            unknown = ViewAnswers.Error(context, 404, $"unknown stream '{id}', expected one of the streams being labelled ({known})");
            return null;
        }

        if (head.Length == 0)
        {
            return ofStream[0];
        }

        if (ofStream.Find(tap => tap.Head == head) is { } found)
        {
            return found;
        }

        unknown = ViewAnswers.Error(context, 404, $"stream '{id}' has no head '{head}', expected one of {string.Join(", ", ofStream.Select(tap => tap.Head))}");
        return null;
    }

    /// <summary>The stream's recent events before <paramref name="until"/> as a new viewer gets them, oldest first.</summary>
    private List<byte[]> Backlog(string stream, long until)
    {
        var recent = new List<(long Number, PipelineEvent Event)>();
        events.Copy(0, recent, until);
        var writer = new EventJsonWriter(options.Device);
        return [.. recent.Where(e => e.Event.Stream == stream).Select(e => FrameEncoder.Serialise(writer, e.Event))];
    }

    /// <summary>The taps of the streams in the run now.</summary>
    private FrameTap[] Present()
    {
        var gone = departed;
        var current = Volatile.Read(ref taps);
        return gone.Count == 0 ? current : [.. current.Where(tap => !gone.Contains(tap.Stream))];
    }

    private FrameTap? Find(string stream, string head)
    {
        foreach (var tap in Volatile.Read(ref taps))
        {
            if (tap.Stream == stream && tap.Head == head)
            {
                return tap;
            }
        }

        return null;
    }

    /// <summary>A tap for a stream and head not seen before (on the frame thread the first time a stream reports).</summary>
    private FrameTap Register(string stream, string head)
    {
        lock (tapsGate)
        {
            if (Find(stream, head) is { } existing)
            {
                return existing;
            }

            var tap = new FrameTap(stream, head, interval);
            Volatile.Write(ref taps, [.. taps, tap]);
            return tap;
        }
    }

    private long Sum(Func<FrameTap, long> count)
    {
        long total = 0;
        foreach (var tap in Volatile.Read(ref taps))
        {
            total += count(tap);
        }

        return total;
    }
}
