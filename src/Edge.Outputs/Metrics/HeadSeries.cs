using System.Diagnostics;
using Edge.Runtime.Pipeline;

namespace Edge.Outputs.Metrics;

/// <summary>
/// The frame counters and latency histograms of one (stream, head) pair, made once when the metrics are: a report
/// records into them with interlocked increments and allocates nothing; a scrape reads them from any thread.
/// </summary>
internal sealed class HeadSeries
{
    private readonly LatencyHistogram[] stageLatency = [new(), new(), new(), new(), new()];
    private readonly LatencyHistogram endToEndLatency = new();
    private long processed;
    private long published;
    private long late;
    private long droppedStale;
    private long skipped;
    private long paused;
    private long withheld;
    private long cancelled;
    private int level;
    private long lastFrameUnixMilliseconds;

    private static readonly string[] StageNames = ["queue", "preprocess", "inference", "decode", "publish"];

    /// <param name="stream">The stream's index in the metrics' <c>StreamLiveness</c>.</param>
    /// <param name="labels">The series' identifying labels (<c>stream</c>, and <c>model</c> when heads are named), escaped on output.</param>
    public HeadSeries(int stream, (string Name, string Value)[] labels)
    {
        Stream = stream;
        Labels = labels;
        Tags = TagsOf(labels);
        StageTags = [.. StageNames.Select(stage => TagsOf(labels, ("stage", stage)))];
        StaleTags = TagsOf(labels, ("reason", "stale"));
        SkippedTags = TagsOf(labels, ("reason", "skipped"));
        PausedTags = TagsOf(labels, ("reason", "paused"));
    }

    public int Stream { get; }

    public (string Name, string Value)[] Labels { get; }

    // The series' tags for the instruments (RuntimeInstruments), built once: a TagList holds up to eight tags inline
    // and string values are references, so recording passes these fields by reference and allocates nothing.
    public readonly TagList Tags;

    /// <summary>Per stage: queue, preprocess, inference, decode, publish.</summary>
    public readonly TagList[] StageTags;

    public readonly TagList StaleTags;

    public readonly TagList SkippedTags;

    public readonly TagList PausedTags;

    public long Processed => Interlocked.Read(ref processed);

    public long Published => Interlocked.Read(ref published);

    public long Late => Interlocked.Read(ref late);

    public long DroppedStale => Interlocked.Read(ref droppedStale);

    public long Skipped => Interlocked.Read(ref skipped);

    public long Paused => Interlocked.Read(ref paused);

    public long Withheld => Interlocked.Read(ref withheld);

    public long Cancelled => Interlocked.Read(ref cancelled);

    public int Level => Volatile.Read(ref level);

    /// <summary>Unix time in ms of the last report, 0 before the first.</summary>
    public long LastFrameUnixMilliseconds => Interlocked.Read(ref lastFrameUnixMilliseconds);

    public LatencyHistogram Stage(int index) => stageLatency[index];

    public LatencyHistogram EndToEnd => endToEndLatency;

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

    public void Record(in FrameReport report, long unixMilliseconds)
    {
        Interlocked.Increment(ref processed);
        switch (report.Outcome)
        {
            case FrameOutcome.Published:
                Interlocked.Increment(ref published);
                break;
            case FrameOutcome.PublishedLate:
                Interlocked.Increment(ref published);
                Interlocked.Increment(ref late);
                break;
            case FrameOutcome.DroppedStale:
                Interlocked.Increment(ref droppedStale);
                break;
            case FrameOutcome.Skipped:
                Interlocked.Increment(ref skipped);
                break;
            case FrameOutcome.Withheld:
                Interlocked.Increment(ref withheld);
                break;
            case FrameOutcome.Cancelled:
                Interlocked.Increment(ref cancelled);
                break;
            case FrameOutcome.Paused:
                Interlocked.Increment(ref paused);
                break;
        }

        // Only decoded frames carry a latency for every stage; the others report zeros that would drag the
        // histograms down (the pipeline's own stage statistics skip them the same way).
        if (report.Outcome is FrameOutcome.Published or FrameOutcome.PublishedLate or FrameOutcome.Withheld)
        {
            stageLatency[0].Observe(report.Latency.Queue / 1000);
            stageLatency[1].Observe(report.Latency.Preprocess / 1000);
            stageLatency[2].Observe(report.Latency.Inference / 1000);
            stageLatency[3].Observe(report.Latency.Decode / 1000);
        }

        // Decode to the label set ready for the outputs: what end-to-end adds to the decoded frame's total.
        if (report.Outcome is FrameOutcome.Published or FrameOutcome.PublishedLate)
        {
            stageLatency[4].Observe(Math.Max(0, report.EndToEndMs - report.Latency.Total) / 1000);
        }

        endToEndLatency.Observe(report.EndToEndMs / 1000);
        Volatile.Write(ref level, report.Level);
        Interlocked.Exchange(ref lastFrameUnixMilliseconds, unixMilliseconds);
    }
}
