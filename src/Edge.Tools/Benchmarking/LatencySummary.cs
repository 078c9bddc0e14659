using Edge.Runtime.Pipeline;

namespace Edge.Tools.Benchmarking;

/// <summary>Percentiles (nearest rank), max, mean and standard deviation of latency samples, in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50, double P90, double P99, double P999, double Max, double Mean, double StdDev)
{
    public static readonly LatencySummary Empty = new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    public static LatencySummary Of(LatencyRecorder recorder) => Of(recorder.Samples());

    public static LatencySummary Of(ReadOnlySpan<double> samples)
    {
        if (samples.Length == 0)
        {
            return Empty;
        }

        var sorted = samples.ToArray();
        Array.Sort(sorted);
        var mean = System.Numerics.Tensors.TensorPrimitives.Sum<double>(sorted) / sorted.Length;
        var variance = 0.0;
        foreach (var value in sorted)
        {
            variance += (value - mean) * (value - mean);
        }

        return new LatencySummary(
            sorted.Length,
            Rank(sorted, 0.5),
            Rank(sorted, 0.9),
            Rank(sorted, 0.99),
            Rank(sorted, 0.999),
            sorted[^1],
            mean,
            Math.Sqrt(variance / sorted.Length));
    }

    private static double Rank(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
