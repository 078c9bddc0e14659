using Edge.Quantize.Calibration;

namespace Edge.Quantize.Tests.Calibration;

public sealed class RangeSelectionTests
{
    [Fact]
    public void MinMax_IsTheObservedRange()
    {
        var statistics = Statistics([-1f, 0.5f, 3f]);

        Assert.Equal((-1f, 3f), RangeSelection.Select(statistics, CalibrationMethod.MinMax));
    }

    [Fact]
    public void MinMax_PositiveRange_IsExtendedDownToZero()
    {
        Assert.Equal((0f, 3f), RangeSelection.Select(Statistics([1f, 3f]), CalibrationMethod.MinMax));
    }

    [Fact]
    public void MinMax_NegativeRange_IsExtendedUpToZero()
    {
        Assert.Equal((-3f, 0f), RangeSelection.Select(Statistics([-3f, -1f]), CalibrationMethod.MinMax));
    }

    [Fact]
    public void MinMax_NeedsNoHistogram()
    {
        var statistics = new TensorStatistics(collectHistogram: false);
        statistics.Add([-2f, 5f]);

        Assert.Equal((-2f, 5f), RangeSelection.Select(statistics, CalibrationMethod.MinMax));
    }

    [Theory]
    [InlineData(CalibrationMethod.Percentile)]
    [InlineData(CalibrationMethod.Entropy)]
    public void HistogramMethods_WithoutHistogram_Throw(CalibrationMethod method)
    {
        var statistics = new TensorStatistics(collectHistogram: false);
        statistics.Add([-2f, 5f]);

        var error = Assert.Throws<QuantizeException>(() => RangeSelection.Select(statistics, method));

        Assert.Contains("needs a histogram", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CalibrationMethod.MinMax)]
    [InlineData(CalibrationMethod.Percentile)]
    [InlineData(CalibrationMethod.Entropy)]
    public void AllZeros_GiveTheEmptyRangeAtZero(CalibrationMethod method)
    {
        Assert.Equal((0f, 0f), RangeSelection.Select(Statistics(new float[1000]), method));
    }

    [Fact]
    public void NoFiniteValues_Throws_SayingHowManyWereSkipped()
    {
        var statistics = new TensorStatistics(collectHistogram: true);
        statistics.Add([float.NaN, float.PositiveInfinity]);

        var error = Assert.Throws<QuantizeException>(() => RangeSelection.Select(statistics, CalibrationMethod.MinMax));

        Assert.Contains("2 NaN or infinite values were skipped", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Percentile_ClipsBothSidesAtTheMagnitudeThreshold()
    {
        var values = Enumerable.Range(0, 10_000).Select(i => ((i % 200) - 100) / 100f).Append(100f).Append(-50f).ToArray();

        var (min, max) = RangeSelection.Select(Statistics(values), CalibrationMethod.Percentile, percentile: 99);

        Assert.InRange(min, -1.1f, -0.95f);
        Assert.InRange(max, 0.95f, 1.1f);
    }

    [Fact]
    public void Percentile_OfPositiveTensor_StartsAtZero()
    {
        var values = Enumerable.Range(0, 1000).Select(i => i / 100f).ToArray();

        var (min, max) = RangeSelection.Select(Statistics(values), CalibrationMethod.Percentile, percentile: 50);

        Assert.Equal(0f, min);
        Assert.InRange(max, 4.95f, 5.05f);
    }

    [Fact]
    public void Percentile_ThresholdAboveTheData_KeepsTheObservedBounds()
    {
        var (min, max) = RangeSelection.Select(Statistics([-0.5f, 4f]), CalibrationMethod.Percentile, percentile: 100);

        Assert.Equal((-0.5f, 4f), (min, max));
    }

    [Theory]
    [InlineData(50, 50f)]
    [InlineData(1, 1f)]
    [InlineData(0.5, 1f)]
    [InlineData(99.5, 100f)]
    [InlineData(100, 100f)]
    public void PercentileThreshold_OneCountPerBin_IsTheBinEdgeReachingIt(double percentile, float expected)
    {
        var histogram = Enumerable.Repeat(1L, 100).ToArray();

        Assert.Equal(expected, RangeSelection.PercentileThreshold(histogram, 100f, percentile));
    }

    [Fact]
    public void PercentileThreshold_RisingCounts_ByHand()
    {
        // Counts 1..10 (total 55); half is 27.5, first reached by 1+…+7 = 28 at bin 6, whose upper edge is 7 × 0.5.
        var histogram = Enumerable.Range(1, 10).Select(count => (long)count).ToArray();

        Assert.Equal(3.5f, RangeSelection.PercentileThreshold(histogram, 5f, 50));
    }

    [Fact]
    public void PercentileThreshold_WholePercentile_IsExact()
    {
        // 30% of 10 is 3, reached exactly by bin 0; 0.3 × 10 in double is 3.0000000000000004 and would skip a bin.
        Assert.Equal(1f, RangeSelection.PercentileThreshold([3, 7], 2f, 30));
    }

    [Fact]
    public void PercentileThreshold_EmptyHistogram_IsZero()
    {
        Assert.Equal(0f, RangeSelection.PercentileThreshold(new long[16], 4f, 99));
        Assert.Equal(0f, RangeSelection.PercentileThreshold([], 4f, 99));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100.001)]
    [InlineData(double.NaN)]
    public void PercentileThreshold_OutsideZeroToHundred_Throws(double percentile)
    {
        Assert.Throws<QuantizeException>(() => RangeSelection.PercentileThreshold([1, 2], 1f, percentile));
    }

    [Fact]
    public void PercentileThreshold_Gaussian_MatchesTheAnalyticQuantile()
    {
        // 99% of |x| for N(0, 1) lies below z(0.995); with 4M samples its standard error is a third of a bin.
        var statistics = StreamedStatistics(CalibrationSamples.Gaussian(seed: 11, count: 4_000_000, sigma: 1));

        var threshold = RangeSelection.PercentileThreshold(statistics.Histogram, statistics.HistogramRange, 99);

        var binWidth = statistics.HistogramRange / statistics.Histogram.Length;
        Assert.InRange(threshold, 2.5758293f - (2 * binWidth), 2.5758293f + (2 * binWidth));
    }

    [Fact]
    public void PercentileThreshold_Laplace_MatchesTheAnalyticQuantile()
    {
        // |x| of Laplace(0, 1) is Exponential(1): 99% lies below ln 100.
        var statistics = StreamedStatistics(CalibrationSamples.Laplace(seed: 12, count: 4_000_000, scale: 1));

        var threshold = RangeSelection.PercentileThreshold(statistics.Histogram, statistics.HistogramRange, 99);

        var binWidth = statistics.HistogramRange / statistics.Histogram.Length;
        var expected = MathF.Log(100);
        Assert.InRange(threshold, expected - (2 * binWidth), expected + (2 * binWidth));
    }

    internal static TensorStatistics Statistics(float[] values)
    {
        var statistics = new TensorStatistics(collectHistogram: true);
        statistics.Add(values);
        return statistics;
    }

    /// <summary>In image-sized batches, as calibration feeds it, so the range grows on the way.</summary>
    internal static TensorStatistics StreamedStatistics(float[] values)
    {
        var statistics = new TensorStatistics(collectHistogram: true);
        for (var start = 0; start < values.Length; start += 50_000)
        {
            statistics.Add(values.AsSpan(start, Math.Min(50_000, values.Length - start)));
        }

        return statistics;
    }
}
