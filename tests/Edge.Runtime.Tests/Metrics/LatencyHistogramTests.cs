using System.Globalization;
using Edge.Runtime.Metrics;

namespace Edge.Runtime.Tests.Metrics;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void DefaultBounds_SpanOneMillisecondToOneSecond()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0.001, histogram.Bounds[0]);
        Assert.Equal(1.0, histogram.Bounds[^1]);
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
}
