using Edge.Runtime.Pipeline;

namespace Edge.Outputs.Display;

/// <summary>
/// What the frame thread leaves for the display thread: counters, the latest active labels and a window of recent
/// latencies. Recording takes an uncontended lock and copies a few numbers; it allocates nothing.
/// </summary>
internal sealed class StatusCounters(int labelCount)
{
    /// <summary>Recent enough to follow a change in load within seconds, large enough for a meaningful p99.</summary>
    public const int LatencyWindow = 256;

    private readonly Lock gate = new();
    private readonly int[] active = new int[labelCount];
    private readonly double[] latencies = new double[LatencyWindow];
    private int activeCount;
    private long latencyCount;
    private long published;
    private long deadlineMisses;
    private int level;

    public void Record(in FrameReport report)
    {
        lock (gate)
        {
            level = report.Level;
            if (report.Outcome is FrameOutcome.PublishedLate or FrameOutcome.Withheld or FrameOutcome.Cancelled)
            {
                deadlineMisses++;
            }

            if (report.Outcome is FrameOutcome.Published or FrameOutcome.PublishedLate)
            {
                published++;
                if (double.IsFinite(report.EndToEndMs))
                {
                    latencies[latencyCount++ % LatencyWindow] = report.EndToEndMs;
                }
            }

            // Frames that were not decoded (stale, skipped, cancelled) leave the last decoded labels on screen.
            if (report.Labels is { } labels)
            {
                var current = labels.Active;
                var kept = Math.Min(current.Length, active.Length);
                current[..kept].CopyTo(active);
                activeCount = kept;
            }
        }
    }

    public void CopyTo(StatusSnapshot snapshot)
    {
        lock (gate)
        {
            snapshot.Published = published;
            snapshot.DeadlineMisses = deadlineMisses;
            snapshot.Level = level;
            snapshot.SetActive(active.AsSpan(0, activeCount));
            snapshot.SetLatencies(latencies.AsSpan(0, (int)Math.Min(latencyCount, LatencyWindow)));
        }
    }
}
