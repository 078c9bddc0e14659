namespace Edge.Runtime.Metrics;

/// <summary>
/// A Prometheus histogram of latencies in seconds that one thread records into while another scrapes it, without
/// locks or allocations. Each bucket counts only its own range (not cumulatively) so a recording touches a single
/// counter; a scrape sums them, and takes the count from that sum so that <c>_count</c> always equals the
/// <c>+Inf</c> bucket even while a frame is being recorded.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>Upper bounds from 1 ms to 1 s in 1-2.5-5 steps: an edge frame budget is tens to hundreds of ms.</summary>
    public static readonly double[] DefaultBoundsSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

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

        var bucket = 0;
        while (bucket < bounds.Length && seconds > bounds[bucket])
        {
            bucket++;
        }

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

    /// <summary>Writes the <c>_bucket</c>, <c>_sum</c> and <c>_count</c> samples, with an optional extra label.</summary>
    public void WriteSamples(PrometheusTextWriter writer, string name, (string Name, string Value)? label = null)
    {
        long cumulative = 0;
        for (var i = 0; i <= bounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref counts[i]);
            var le = i < bounds.Length ? PrometheusTextWriter.FormatValue(bounds[i]) : "+Inf";
            if (label is { } extra)
            {
                writer.Sample(name + "_bucket", cumulative, extra, ("le", le));
            }
            else
            {
                writer.Sample(name + "_bucket", cumulative, ("le", le));
            }
        }

        if (label is { } l)
        {
            writer.Sample(name + "_sum", Sum, l);
            writer.Sample(name + "_count", cumulative, l);
        }
        else
        {
            writer.Sample(name + "_sum", Sum);
            writer.Sample(name + "_count", cumulative);
        }
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
