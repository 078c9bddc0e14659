using Edge.Quantize.Calibration;
using Xunit.Abstractions;

namespace Edge.Quantize.Tests.Calibration;

public sealed class EntropyThresholdTests(ITestOutputHelper output)
{
    [Fact]
    public void FewFarOutliers_AreClipped()
    {
        var values = CalibrationSamples.Gaussian(seed: 21, count: 1_000_000, sigma: 1)
            .Concat([50f, -50f, 48f, -47f, 45f, 44f, -43f, 42f, 41f, 40f])
            .ToArray();
        var statistics = RangeSelectionTests.StreamedStatistics(values);

        var threshold = RangeSelection.EntropyThreshold(statistics.Histogram, statistics.HistogramRange);

        output.WriteLine($"threshold {threshold} of max magnitude 50");
        Assert.InRange(threshold, 2.5f, 10f);
    }

    [Fact]
    public void Uniform_KeepsNearlyTheWholeRange()
    {
        var statistics = RangeSelectionTests.StreamedStatistics(CalibrationSamples.Uniform(seed: 22, count: 1_000_000, amax: 1));

        var threshold = RangeSelection.EntropyThreshold(statistics.Histogram, statistics.HistogramRange);

        output.WriteLine($"threshold {threshold} of max magnitude {statistics.Max}");
        Assert.InRange(threshold, 0.95f, 1.01f);
    }

    [Fact]
    public void DataInTheFirstLevelsOnly_ThresholdIsTheFirstCandidateEdge()
    {
        // Every candidate represents 100 equal bins exactly (KL 0); the tie goes to the finest, i = 128, at its upper edge.
        var histogram = new long[2048];
        histogram.AsSpan(0, 100).Fill(1000);

        Assert.Equal(128f, RangeSelection.EntropyThreshold(histogram, 2048f));
    }

    [Fact]
    public void SelectEntropy_ClipsSymmetricallyAroundZero()
    {
        var values = CalibrationSamples.Gaussian(seed: 23, count: 200_000, sigma: 1).Append(60f).Append(-30f).ToArray();

        var (min, max) = RangeSelection.Select(RangeSelectionTests.Statistics(values), CalibrationMethod.Entropy);

        Assert.Equal(-max, min);
        Assert.InRange(max, 2.5f, 10f);
    }

    [Fact]
    public void EmptyHistogram_IsZero()
    {
        Assert.Equal(0f, RangeSelection.EntropyThreshold(new long[2048], 3f));
    }

    [Fact]
    public void NoMoreBinsThanLevels_KeepsTheRange()
    {
        Assert.Equal(3f, RangeSelection.EntropyThreshold(Enumerable.Repeat(5L, 128).ToArray(), 3f));
        Assert.Equal(3f, RangeSelection.EntropyThreshold([1, 2, 3], 3f));
    }

    [Fact]
    public void NoLevels_Throws()
    {
        Assert.Throws<QuantizeException>(() => RangeSelection.EntropyThreshold([1, 2, 3], 3f, quantizedBins: 0));
    }
}
