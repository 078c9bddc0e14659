using Edge.Runtime.Events;

namespace Edge.Server.LiveView;

/// <summary>
/// The live view's own thread ("edge-live-view"): woken by the frame thread when a tap took a frame, it encodes each
/// tap's newest frame to JPEG and hands it to the tap's viewers, and passes new events on to the viewers of their
/// stream. All the live view's costs beyond one copy per tapped frame are paid here, never on the frame thread.
/// </summary>
internal sealed class FrameEncoder : IDisposable
{
    private readonly Func<IReadOnlyList<FrameTap>> taps;
    private readonly EventLog events;
    private readonly TimeProvider time;
    private readonly JpegEncoder jpeg;
    private readonly ViewFrameJson json = new();
    private readonly EventJsonWriter eventJson;
    private readonly SemaphoreSlim wake = new(0);
    private readonly List<(long Number, PipelineEvent Event)> newEvents = [];
    private readonly Thread thread;
    private long eventsDelivered;
    private int wakePending;
    private long failures;
    private volatile string? lastFailure;
    private volatile bool disposed;

    public FrameEncoder(Func<IReadOnlyList<FrameTap>> taps, EventLog events, LiveViewOptions options, TimeProvider time)
    {
        this.taps = taps;
        this.events = events;
        this.time = time;
        jpeg = new JpegEncoder(options.JpegQuality, options.MaxWidth, options.MaxHeight);
        eventJson = new EventJsonWriter(options.Device);
        eventsDelivered = events.Written;
        thread = new Thread(Loop) { IsBackground = true, Name = "edge-live-view" };
        thread.Start();
    }

    /// <summary>Frames that could not be encoded (each is skipped; the view goes on with the next).</summary>
    public long Failures => Interlocked.Read(ref failures);

    /// <summary>Why the last failed frame could not be encoded, or null.</summary>
    public string? LastFailure => lastFailure;

    /// <summary>The size a frame is encoded at.</summary>
    public (int Width, int Height) Fit(int width, int height) => jpeg.Fit(width, height);

    /// <summary>Something to do: a tap took a frame, or an event came. Allocates nothing; any thread.</summary>
    /// <remarks>A semaphore released at most once per wait, since an AutoResetEvent's Set allocates on Linux.</remarks>
    public void Wake()
    {
        if (Interlocked.Exchange(ref wakePending, 1) == 0)
        {
            wake.Release();
        }
    }

    public void Dispose()
    {
        disposed = true;
        wake.Release();
        thread.Join();
        wake.Dispose();
        jpeg.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            wake.Wait();
            if (disposed)
            {
                return;
            }

            // Before looking at the taps: a frame tapped from here on wakes the loop again.
            Volatile.Write(ref wakePending, 0);

            var current = taps();
            foreach (var tap in current)
            {
                EncodeWaiting(tap);
            }

            DeliverEvents(current);
        }
    }

    private void EncodeWaiting(FrameTap tap)
    {
        if (tap.TakeWaiting() is not { } frame || !tap.IsWatched(time.GetTimestamp()))
        {
            return;
        }

        try
        {
            var (bytes, width, height) = jpeg.Encode(frame);

            // The last viewer may have left while it was encoded: then it is nobody's, and not counted.
            if (tap.IsWatched(time.GetTimestamp()))
            {
                tap.Publish(new EncodedFrame(frame.Frame, width, height, bytes, json.Write(frame, width, height), frame.TappedAt));
            }
        }
        catch (Exception e) when (e is OpenCvSharp.OpenCVException or InvalidOperationException or ArgumentException)
        {
            Interlocked.Increment(ref failures);
            lastFailure = $"frame {frame.Frame} of stream {frame.Stream}: {e.Message.ReplaceLineEndings(" ")}";
        }
    }

    private void DeliverEvents(IReadOnlyList<FrameTap> current)
    {
        newEvents.Clear();
        eventsDelivered = events.Copy(eventsDelivered, newEvents);
        foreach (var (number, pipelineEvent) in newEvents)
        {
            ReadOnlyMemory<byte>? message = null;
            foreach (var tap in current)
            {
                if (tap.Stream != pipelineEvent.Stream || tap.Viewers.Count == 0)
                {
                    continue;
                }

                message ??= Serialise(eventJson, pipelineEvent);
                foreach (var viewer in tap.Viewers)
                {
                    // Older events reach a new viewer as its backlog.
                    if (number >= viewer.LiveEventsFrom)
                    {
                        viewer.Offer(message.Value);
                    }
                }
            }
        }
    }

    /// <summary>One event as its own <c>edge.event/1</c> JSON text (no newline: a WebSocket message is framed already).</summary>
    public static byte[] Serialise(EventJsonWriter writer, in PipelineEvent pipelineEvent)
    {
        writer.Write(pipelineEvent);
        return writer.Message.Span[..^1].ToArray();
    }
}
