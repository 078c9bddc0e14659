namespace Edge.Outputs.Display;

/// <summary>The display thread's copy of <see cref="StatusCounters"/>, reused for every redraw.</summary>
internal sealed class StatusSnapshot(int labelCount)
{
    private readonly int[] active = new int[labelCount];
    private readonly double[] latencies = new double[StatusCounters.LatencyWindow];
    private int activeCount;
    private int latencyCount;

    public long Published { get; set; }

    public long DeadlineMisses { get; set; }

    public int Level { get; set; }

    public ReadOnlySpan<int> Active => active.AsSpan(0, activeCount);

    public void SetActive(ReadOnlySpan<int> labels)
    {
        labels.CopyTo(active);
        activeCount = labels.Length;
    }

    public void SetLatencies(ReadOnlySpan<double> window)
    {
        window.CopyTo(latencies);
        latencyCount = window.Length;
    }

    /// <summary>Nearest-rank 99th percentile of the latency window; NaN when it is empty. Sorts the copy in place.</summary>
    public double P99LatencyMs()
    {
        if (latencyCount == 0)
        {
            return double.NaN;
        }

        var window = latencies.AsSpan(0, latencyCount);
        window.Sort();
        var rank = (int)Math.Ceiling(0.99 * latencyCount) - 1;
        return window[Math.Clamp(rank, 0, latencyCount - 1)];
    }
}
