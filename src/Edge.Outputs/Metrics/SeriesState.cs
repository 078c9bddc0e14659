using Edge.Runtime.Pipeline;

namespace Edge.Outputs.Metrics;

/// <summary>
/// The latest state of one (stream, head) series, read by the observable gauges when a listener collects: degrade
/// level, when and which frame was last finished with, the latest end-to-end latency and the published frame rate.
/// The frame thread writes it without locks or allocations; a collection reads it from any thread.
/// </summary>
internal sealed class SeriesState
{
    private const long NoWindow = long.MinValue;

    private readonly TimeProvider time;
    private int level;
    private long lastFrameUnixMilliseconds;
    private long lastFrameNumber;
    private double lastLatencyMilliseconds = double.NaN;

    // The published rate over windows of at least a second: frames since the window opened (at a published frame).
    private long windowStart = NoWindow;
    private long windowFrames;
    private double framesPerSecond;

    /// <param name="labels">The series' identifying labels (<c>stream</c>, and <c>model</c> when heads are named).</param>
    public SeriesState((string Name, string Value)[] labels, TimeProvider time)
    {
        Labels = labels;
        this.time = time;
    }

    public (string Name, string Value)[] Labels { get; }

    public int Level => Volatile.Read(ref level);

    /// <summary>Unix time in ms of the last report, 0 before the first.</summary>
    public long LastFrameUnixMilliseconds => Interlocked.Read(ref lastFrameUnixMilliseconds);

    public long LastFrameNumber => Interlocked.Read(ref lastFrameNumber);

    /// <summary>Capture to the sink of the latest published frame, NaN before the first.</summary>
    public double LastLatencyMilliseconds => Volatile.Read(ref lastLatencyMilliseconds);

    /// <summary>
    /// Label sets published per second over the latest window of at least a second; once no window has closed for a
    /// second (the stream stalled), the frames since the last one over the time since, so that it falls towards 0.
    /// </summary>
    public double FramesPerSecond
    {
        get
        {
            var start = Interlocked.Read(ref windowStart);
            if (start == NoWindow)
            {
                return 0;
            }

            var open = time.GetElapsedTime(start);
            return open >= TimeSpan.FromSeconds(1) ? Interlocked.Read(ref windowFrames) / open.TotalSeconds : Volatile.Read(ref framesPerSecond);
        }
    }

    public void Record(in FrameReport report)
    {
        Volatile.Write(ref level, report.Level);
        Interlocked.Exchange(ref lastFrameNumber, report.Frame);
        Interlocked.Exchange(ref lastFrameUnixMilliseconds, time.GetUtcNow().ToUnixTimeMilliseconds());
        if (report.Outcome is FrameOutcome.Published or FrameOutcome.PublishedLate)
        {
            Volatile.Write(ref lastLatencyMilliseconds, report.EndToEndMs);
            CountPublished();
        }
    }

    private void CountPublished()
    {
        var now = time.GetTimestamp();
        var start = Interlocked.Read(ref windowStart);
        if (start == NoWindow)
        {
            Interlocked.Exchange(ref windowStart, now);
            return;
        }

        var frames = Interlocked.Increment(ref windowFrames);
        var open = time.GetElapsedTime(start, now);
        if (open >= TimeSpan.FromSeconds(1))
        {
            Volatile.Write(ref framesPerSecond, frames / open.TotalSeconds);
            Interlocked.Exchange(ref windowFrames, 0);
            Interlocked.Exchange(ref windowStart, now);
        }
    }
}
