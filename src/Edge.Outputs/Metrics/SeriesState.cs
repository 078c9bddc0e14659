using System.Diagnostics;
using Edge.Runtime.Pipeline;

namespace Edge.Outputs.Metrics;

/// <summary>
/// The latest state of one (stream, head) series, read by the observable gauges when a listener collects: degrade
/// level, when and which frame was last finished with, the latest end-to-end latency and the published frame rate.
/// The frame thread writes it without locks or allocations; a collection reads it from any thread. Its tags for the
/// instruments are built once here: a <see cref="TagList"/> holds up to eight tags inline and string values are
/// references, so recording passes them by reference and allocates nothing.
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

    private static readonly string[] StageNames = ["queue", "preprocess", "inference", "decode", "publish"];

    /// <param name="stream">The stream's index in the metrics' <c>StreamLiveness</c>.</param>
    /// <param name="labels">The series' identifying labels (<c>stream</c>, and <c>model</c> when heads are named).</param>
    public SeriesState(int stream, (string Name, string Value)[] labels, TimeProvider time)
    {
        Stream = stream;
        Labels = labels;
        this.time = time;
        Tags = TagsOf(labels);
        StageTags = [.. StageNames.Select(stage => TagsOf(labels, ("stage", stage)))];
        StaleTags = TagsOf(labels, ("reason", "stale"));
        SkippedTags = TagsOf(labels, ("reason", "skipped"));
        PausedTags = TagsOf(labels, ("reason", "paused"));
    }

    public int Stream { get; }

    public (string Name, string Value)[] Labels { get; }

    public readonly TagList Tags;

    /// <summary>Per stage: queue, preprocess, inference, decode, publish.</summary>
    public readonly TagList[] StageTags;

    public readonly TagList StaleTags;

    public readonly TagList SkippedTags;

    public readonly TagList PausedTags;

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

    private static TagList TagsOf((string Name, string Value)[] labels, (string Name, string Value)? extra = null)
    {
        var tags = default(TagList);
        foreach (var (name, value) in labels)
        {
            tags.Add(name, value);
        }

        if (extra is { } one)
        {
            tags.Add(one.Name, one.Value);
        }

        return tags;
    }
}
