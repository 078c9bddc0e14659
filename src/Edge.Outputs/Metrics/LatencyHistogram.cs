namespace Edge.Outputs.Metrics;

/// <summary>
/// A Prometheus histogram of latencies in seconds that one thread records into while another scrapes it, without
/// locks or allocations. Each bucket counts only its own range (not cumulatively) so a recording touches a single
/// counter; a scrape sums them, and takes the count from that sum so that <c>_count</c> always equals the
/// <c>+Inf</c> bucket even while a frame is being recorded.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>
    /// Upper bounds from 0.1 ms to 1 s. Budgets lie between about 30 and 150 ms (33 ms at 30 fps, 50, 66, 100 ms), where
    /// a percentile read from the buckets must be close to the measured one: there the steps are at most 7 % (mostly
    /// 4-5 %), at most 10 % from 10 to 200 ms, 1 ms below 10 ms (preprocessing, inference of small models),
    /// and coarse outside. One fixed set, so histograms of different devices and budgets add up in Prometheus.
    /// </summary>
    public static readonly double[] DefaultBoundsSeconds = Milliseconds(
        0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9,
        10, 11, 12, 13, 14, 15, 16.5, 18, 19, 20, 22, 24, 26, 28,
        30, 32, 34, 36, 38, 40, 42, 44, 46, 48, 50, 52.5, 55, 57.5, 60, 63, 66, 70, 73, 76, 80, 84, 88, 92, 96,
        100, 105, 110, 115, 120, 126, 132, 138, 144, 150,
        160, 175, 190, 200, 225, 250, 300, 400, 500, 750, 1000);

    private readonly double[] bounds;

    // One more than the bounds: the last counts what is above every bound (only the +Inf bucket holds it).
    private readonly long[] counts;
    private double sum;

    public LatencyHistogram(double[]? boundsSeconds = null)
    {
        bounds = boundsSeconds ?? DefaultBoundsSeconds;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (!double.IsFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
            {
                throw new ArgumentException($"histogram bound {bounds[i]} at {i} is not finite and above the previous one, expected finite increasing bounds", nameof(boundsSeconds));
            }
        }

        counts = new long[bounds.Length + 1];
    }

    public ReadOnlySpan<double> Bounds => bounds;

    /// <summary>Counts a latency into the first bucket whose upper bound is at or above it (Prometheus's <c>le</c>); NaN is ignored.</summary>
    public void Observe(double seconds)
    {
        if (double.IsNaN(seconds))
        {
            return;
        }

        // The first bound at or above the value; past the last bound, the +Inf bucket.
        var found = Array.BinarySearch(bounds, seconds);
        var bucket = found >= 0 ? found : ~found;
        Interlocked.Increment(ref counts[bucket]);
        AddToSum(seconds);
    }

    /// <summary>Observations at or below <c>Bounds[bucket]</c>, or of all of them when <paramref name="bucket"/> is <c>Bounds.Length</c>.</summary>
    public long CumulativeCount(int bucket)
    {
        long total = 0;
        for (var i = 0; i <= bucket; i++)
        {
            total += Interlocked.Read(ref counts[i]);
        }

        return total;
    }

    public double Sum => Volatile.Read(ref sum);

    /// <summary>Writes the <c>_bucket</c>, <c>_sum</c> and <c>_count</c> samples, each with <paramref name="labels"/> (then <c>le</c> on buckets).</summary>
    public void WriteSamples(PrometheusTextWriter writer, string name, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        var bucketLabels = new (string Name, string Value)[labels.Length + 1];
        labels.CopyTo(bucketLabels);
        long cumulative = 0;
        for (var i = 0; i <= bounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref counts[i]);
            bucketLabels[^1] = ("le", i < bounds.Length ? PrometheusTextWriter.FormatValue(bounds[i]) : "+Inf");
            writer.Sample(name + "_bucket", cumulative, bucketLabels);
        }

        writer.Sample(name + "_sum", Sum, labels);
        writer.Sample(name + "_count", cumulative, labels);
    }

    private static double[] Milliseconds(params double[] milliseconds)
    {
        var seconds = new double[milliseconds.Length];
        for (var i = 0; i < seconds.Length; i++)
        {
            seconds[i] = milliseconds[i] / 1000;
        }

        return seconds;
    }

    private void AddToSum(double seconds)
    {
        var seen = Volatile.Read(ref sum);
        while (true)
        {
            var previous = Interlocked.CompareExchange(ref sum, seen + seconds, seen);
            if (BitConverter.DoubleToInt64Bits(previous) == BitConverter.DoubleToInt64Bits(seen))
            {
                return;
            }

            seen = previous;
        }
    }
}
