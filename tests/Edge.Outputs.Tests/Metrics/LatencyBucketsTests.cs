using Edge.Outputs.Metrics;

namespace Edge.Outputs.Tests.Metrics;

public sealed class LatencyBucketsTests
{
    [Fact]
    public void Seconds_SpanATenthOfAMillisecondToOneSecond_Increasing()
    {
        var bounds = LatencyBuckets.Seconds;

        Assert.Equal(0.0001, bounds[0]);
        Assert.Equal(1.0, bounds[^1]);
        Assert.Equal(72, bounds.Count);
        Assert.All(bounds.Zip(bounds.Skip(1)), pair => Assert.True(pair.First < pair.Second, $"{pair.First} then {pair.Second}"));
    }

    [Fact]
    public void Seconds_CannotBeChangedThroughTheList() =>
        Assert.Throws<NotSupportedException>(() => ((IList<double>)LatencyBuckets.Seconds)[0] = 5);

    [Theory]
    [InlineData(0.001, 0.010, 0.0010001)] // 1 ms steps below 10 ms
    [InlineData(0.010, 0.200, 1.10001)] // at most 10 % between 10 and 200 ms
    [InlineData(0.030, 0.150, 1.07001)] // at most 7 % where budgets lie
    public void Seconds_StepsAreFineInTheBudgetRange(double from, double to, double maxStep)
    {
        var bounds = LatencyBuckets.Seconds.ToArray();
        Assert.Contains(from, bounds);
        Assert.Contains(to, bounds);

        for (var i = Array.IndexOf(bounds, from); bounds[i] < to; i++)
        {
            var step = maxStep < 1 ? bounds[i + 1] - bounds[i] : bounds[i + 1] / bounds[i];
            Assert.True(step <= maxStep, $"bucket {bounds[i] * 1000} ms -> {bounds[i + 1] * 1000} ms is too wide (step {step})");
        }
    }

    [Theory]
    [InlineData(25, 3)]
    [InlineData(45, 6)]
    [InlineData(70, 10)] // the case of issue 11: p99 near 95 ms read as 98 ms from the old 50-100 ms bucket
    [InlineData(110, 12)]
    public void Seconds_PercentilesReadLikePrometheus_AreWithinOnePercentOfTheMeasuredOnes(double meanMs, double spreadMs)
    {
        var random = new Random(11);
        var samples = new double[20_000];
        for (var i = 0; i < samples.Length; i++)
        {
            // Normal around the mean (Box-Muller), never below 1 ms.
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            samples[i] = Math.Max(1, meanMs + spreadMs * normal) / 1000;
        }

        var cumulative = CumulativeCounts(samples);
        Array.Sort(samples);
        foreach (var quantile in new[] { 0.5, 0.9, 0.99 })
        {
            var measured = samples[(int)Math.Ceiling(quantile * samples.Length) - 1];
            var read = HistogramQuantile(cumulative, quantile);
            Assert.True(Math.Abs(read - measured) / measured <= 0.01, $"p{quantile * 100}: read {read * 1000:F2} ms from the buckets, measured {measured * 1000:F2} ms");
        }
    }

    /// <summary>What an exporter's <c>le</c> buckets hold: observations at or below each bound.</summary>
    private static long[] CumulativeCounts(double[] samples) =>
        [.. LatencyBuckets.Seconds.Select(bound => (long)samples.Count(sample => sample <= bound))];

    /// <summary>Prometheus's <c>histogram_quantile</c>: the bucket holding the rank, interpolated linearly within it.</summary>
    private static double HistogramQuantile(long[] cumulative, double quantile)
    {
        var bounds = LatencyBuckets.Seconds;
        var rank = quantile * cumulative[^1];
        for (var i = 0; i < bounds.Count; i++)
        {
            var below = i == 0 ? 0 : cumulative[i - 1];
            if (cumulative[i] >= rank)
            {
                var lower = i == 0 ? 0 : bounds[i - 1];
                return lower + ((bounds[i] - lower) * (rank - below) / (cumulative[i] - below));
            }
        }

        return bounds[^1];
    }
}
