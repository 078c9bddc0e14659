using System.Globalization;
using Edge.Outputs.Metrics;

namespace Edge.Outputs.Tests.Metrics;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void DefaultBounds_SpanATenthOfAMillisecondToOneSecond()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0.0001, histogram.Bounds[0]);
        Assert.Equal(1.0, histogram.Bounds[^1]);
    }

    [Theory]
    [InlineData(0.001, 0.010, 0.0010001)] // 1 ms steps below 10 ms
    [InlineData(0.010, 0.200, 1.10001)] // at most 10 % between 10 and 200 ms
    [InlineData(0.030, 0.150, 1.07001)] // at most 7 % where budgets lie
    public void DefaultBounds_StepsAreFineInTheBudgetRange(double from, double to, double maxStep)
    {
        var bounds = LatencyHistogram.DefaultBoundsSeconds;
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
    public void DefaultBounds_PercentilesReadLikePrometheus_AreWithinOnePercentOfTheMeasuredOnes(double meanMs, double spreadMs)
    {
        var random = new Random(11);
        var samples = new double[20_000];
        for (var i = 0; i < samples.Length; i++)
        {
            // Normal around the mean (Box-Muller), never below 1 ms.
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            samples[i] = Math.Max(1, meanMs + spreadMs * normal) / 1000;
        }

        var histogram = new LatencyHistogram();
        foreach (var sample in samples)
        {
            histogram.Observe(sample);
        }

        Array.Sort(samples);
        foreach (var quantile in new[] { 0.5, 0.9, 0.99 })
        {
            var measured = samples[(int)Math.Ceiling(quantile * samples.Length) - 1];
            var read = HistogramQuantile(histogram, quantile);
            Assert.True(Math.Abs(read - measured) / measured <= 0.01, $"p{quantile * 100}: read {read * 1000:F2} ms from the buckets, measured {measured * 1000:F2} ms");
        }
    }

    [Fact]
    public void Observe_ValueOnABound_CountsInThatBucket()
    {
        var histogram = new LatencyHistogram([0.01, 0.1, 1]);

        histogram.Observe(0.01);

        Assert.Equal(1, histogram.CumulativeCount(0));
    }

    [Fact]
    public void Observe_CumulativeCountsIncludeEveryLowerBucket()
    {
        var histogram = new LatencyHistogram([0.01, 0.1, 1]);

        foreach (var seconds in new[] { 0.0, 0.005, 0.0100001, 0.1, 0.5, 2, 30 })
        {
            histogram.Observe(seconds);
        }

        Assert.Equal(2, histogram.CumulativeCount(0));
        Assert.Equal(4, histogram.CumulativeCount(1));
        Assert.Equal(5, histogram.CumulativeCount(2));
        Assert.Equal(7, histogram.CumulativeCount(3)); // +Inf
        Assert.Equal(32.6150001, histogram.Sum, 9);
    }

    [Fact]
    public void Observe_NaN_IsIgnored()
    {
        var histogram = new LatencyHistogram([0.01]);

        histogram.Observe(double.NaN);

        Assert.Equal(0, histogram.CumulativeCount(1));
        Assert.Equal(0, histogram.Sum);
    }

    [Theory]
    [InlineData(new[] { 0.1, 0.1 })]
    [InlineData(new[] { 0.2, 0.1 })]
    [InlineData(new[] { 0.1, double.PositiveInfinity })]
    public void Constructor_BoundsNotFiniteAndIncreasing_Throws(double[] bounds) =>
        Assert.Throws<ArgumentException>(() => new LatencyHistogram(bounds));

    [Fact]
    public void WriteSamples_WritesCumulativeBucketsThenSumAndCount()
    {
        var histogram = new LatencyHistogram([0.005, 0.05]);
        histogram.Observe(0.004);
        histogram.Observe(0.02);
        histogram.Observe(0.5);
        var output = new StringWriter(CultureInfo.InvariantCulture);

        histogram.WriteSamples(new PrometheusTextWriter(output), "edge_t_seconds", ("stage", "decode"));

        Assert.Equal(
            """
            edge_t_seconds_bucket{stage="decode",le="0.005"} 1
            edge_t_seconds_bucket{stage="decode",le="0.05"} 2
            edge_t_seconds_bucket{stage="decode",le="+Inf"} 3
            edge_t_seconds_sum{stage="decode"} 0.524
            edge_t_seconds_count{stage="decode"} 3

            """.ReplaceLineEndings("\n"),
            output.ToString());
    }

    [Fact]
    public void WriteSamples_WithoutLabel_WritesOnlyLe()
    {
        var histogram = new LatencyHistogram([1]);
        histogram.Observe(0.25);
        var output = new StringWriter(CultureInfo.InvariantCulture);

        histogram.WriteSamples(new PrometheusTextWriter(output), "edge_e");

        Assert.Equal("edge_e_bucket{le=\"1\"} 1\nedge_e_bucket{le=\"+Inf\"} 1\nedge_e_sum 0.25\nedge_e_count 1\n", output.ToString());
    }

    /// <summary>Prometheus's <c>histogram_quantile</c>: the bucket holding the rank, interpolated linearly within it.</summary>
    private static double HistogramQuantile(LatencyHistogram histogram, double quantile)
    {
        var bounds = histogram.Bounds;
        var rank = quantile * histogram.CumulativeCount(bounds.Length);
        for (var i = 0; i < bounds.Length; i++)
        {
            var below = i == 0 ? 0 : histogram.CumulativeCount(i - 1);
            var upTo = histogram.CumulativeCount(i);
            if (upTo >= rank)
            {
                var lower = i == 0 ? 0 : bounds[i - 1];
                return lower + ((bounds[i] - lower) * (rank - below) / (upTo - below));
            }
        }

        return bounds[^1];
    }
}
