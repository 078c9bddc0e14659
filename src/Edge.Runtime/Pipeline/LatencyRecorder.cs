namespace Edge.Runtime.Pipeline;

/// <summary>Keeps the most recent latency samples (fixed capacity, no allocation while recording) for percentiles.</summary>
public sealed class LatencyRecorder(int capacity = 1 << 16)
{
    private readonly double[] samples = new double[capacity];
    private long count;

    public long Count => count;

    public void Record(double milliseconds)
    {
        samples[count % samples.Length] = milliseconds;
        count++;
    }

    /// <summary>The q-quantile (0..1) of the kept samples, nearest-rank; NaN when empty. Allocates: for reports only.</summary>
    public double Percentile(double q)
    {
        var kept = (int)Math.Min(count, samples.Length);
        if (kept == 0)
        {
            return double.NaN;
        }

        var sorted = samples[..kept];
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(q * kept) - 1;
        return sorted[Math.Clamp(rank, 0, kept - 1)];
    }

    /// <summary>
    /// The q-quantile (0..1) of the <paramref name="recent"/> most recent samples, nearest-rank; NaN when empty. Safe to
    /// call from another thread than the recording one (a sample recorded meanwhile may or may not be counted).
    /// Allocates: for status reports only.
    /// </summary>
    public double RecentPercentile(double q, int recent)
    {
        var recorded = Volatile.Read(ref count);
        var kept = (int)Math.Min(Math.Min(recorded, samples.Length), recent);
        if (kept == 0)
        {
            return double.NaN;
        }

        var sorted = new double[kept];
        for (var i = 0; i < kept; i++)
        {
            sorted[i] = samples[(recorded - 1 - i) % samples.Length];
        }

        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(q * kept) - 1;
        return sorted[Math.Clamp(rank, 0, kept - 1)];
    }

    /// <summary>The kept samples (the most recent ones once more than the capacity were recorded), oldest order not kept.</summary>
    public ReadOnlySpan<double> Samples() => samples.AsSpan(0, (int)Math.Min(count, samples.Length));

    public double Mean()
    {
        var kept = (int)Math.Min(count, samples.Length);
        return kept == 0 ? double.NaN : System.Numerics.Tensors.TensorPrimitives.Sum<double>(samples.AsSpan(0, kept)) / kept;
    }
}
