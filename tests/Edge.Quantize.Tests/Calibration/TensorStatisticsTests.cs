using Edge.Quantize.Calibration;

namespace Edge.Quantize.Tests.Calibration;

public sealed class TensorStatisticsTests
{
    [Fact]
    public void Add_TracksMinMaxAndCountAcrossBatches()
    {
        var statistics = new TensorStatistics(collectHistogram: false);

        statistics.Add([1f, -2f, 3f]);
        statistics.Add([0.5f, 7f]);
        statistics.Add([]);

        Assert.Equal(-2f, statistics.Min);
        Assert.Equal(7f, statistics.Max);
        Assert.Equal(5, statistics.Count);
        Assert.Equal(0, statistics.NonFinite);
    }

    [Fact]
    public void NothingAdded_ReportsZeros()
    {
        var statistics = new TensorStatistics(collectHistogram: true, bins: 8);

        Assert.Equal(0f, statistics.Min);
        Assert.Equal(0f, statistics.Max);
        Assert.Equal(0, statistics.Count);
        Assert.Equal(0f, statistics.HistogramRange);
        Assert.Equal(new long[8], statistics.Histogram.ToArray());
    }

    [Fact]
    public void WithoutHistogram_HistogramIsEmpty()
    {
        var statistics = new TensorStatistics(collectHistogram: false);

        statistics.Add([1f, 2f]);

        Assert.False(statistics.HasHistogram);
        Assert.True(statistics.Histogram.IsEmpty);
        Assert.Equal(0f, statistics.HistogramRange);
    }

    [Fact]
    public void NonFiniteValues_AreSkippedAndCounted()
    {
        var statistics = new TensorStatistics(collectHistogram: true, bins: 8);

        statistics.Add([1f, float.NaN, -3f, float.PositiveInfinity, float.NegativeInfinity, 4f]);

        Assert.Equal(-3f, statistics.Min);
        Assert.Equal(4f, statistics.Max);
        Assert.Equal(3, statistics.Count);
        Assert.Equal(3, statistics.NonFinite);
        Assert.Equal(3, statistics.Histogram.ToArray().Sum());
    }

    [Fact]
    public void OnlyNonFiniteValues_LeaveTheStatisticsEmpty()
    {
        var statistics = new TensorStatistics(collectHistogram: true, bins: 8);

        statistics.Add([float.NaN, float.NaN]);

        Assert.Equal(0, statistics.Count);
        Assert.Equal(2, statistics.NonFinite);
        Assert.Equal(0f, statistics.HistogramRange);
    }

    [Fact]
    public void FirstBatch_PutsItsLargestMagnitudeInTheMiddleOfTheLastBin()
    {
        var statistics = new TensorStatistics(collectHistogram: true, bins: 8);

        // Range 4 × 8 / 7.5, bin width 0.533: 0.25, 1.25, 2.75 and 4 sit at 0.47, 2.34, 5.16 and 7.5 bin widths.
        statistics.Add([-4f, 0.25f, 1.25f, -2.75f, 2.75f]);

        Assert.Equal(4f * 8 / 7.5f, statistics.HistogramRange, 6);
        Assert.Equal([1, 0, 1, 0, 0, 2, 0, 1], statistics.Histogram.ToArray());
    }

    [Fact]
    public void LargerBatch_DoublesTheRangeAndMergesBinPairs()
    {
        var statistics = new TensorStatistics(collectHistogram: true, bins: 8);
        statistics.Add([-4f, 0.25f, 1.25f, -2.75f, 2.75f]);
        var firstRange = statistics.HistogramRange;

        // Old bins 0, 2, 5, 7 merge into 0, 1, 2, 3; 7 is at 6.56 new bin widths.
        statistics.Add([7f]);

        Assert.Equal(2 * firstRange, statistics.HistogramRange);
        Assert.Equal([1, 1, 2, 1, 0, 0, 1, 0], statistics.Histogram.ToArray());
        Assert.Equal(statistics.Count, statistics.Histogram.ToArray().Sum());
    }

    [Fact]
    public void MuchLargerBatch_DoublesAsOftenAsNeeded()
    {
        var statistics = new TensorStatistics(collectHistogram: true, bins: 8);
        statistics.Add([-4f, 0.25f, 1.25f, -2.75f, 2.75f]);
        var firstRange = statistics.HistogramRange;
        statistics.Add([7f]);

        // Four more doublings, each merge halves the bin index: everything so far ends in bin 0; 100 is at 5.86 widths.
        statistics.Add([-100f]);

        Assert.Equal(32 * firstRange, statistics.HistogramRange);
        Assert.Equal([6, 0, 0, 0, 0, 1, 0, 0], statistics.Histogram.ToArray());
    }

    [Fact]
    public void BatchExactlyAtTheRange_DoublesItSoNoValueSitsOnTheUpperEdge()
    {
        var statistics = new TensorStatistics(collectHistogram: true, bins: 8);
        statistics.Add([4f]);
        var firstRange = statistics.HistogramRange;

        statistics.Add([firstRange]);

        Assert.Equal(2 * firstRange, statistics.HistogramRange);
        Assert.Equal([0, 0, 0, 1, 1, 0, 0, 0], statistics.Histogram.ToArray());
    }

    [Fact]
    public void HugeGrowth_PutsEverythingOldInBinZero()
    {
        var statistics = new TensorStatistics(collectHistogram: true, bins: 8);
        statistics.Add([1e-20f, 0.9e-20f]);

        statistics.Add([1e20f]);

        var histogram = statistics.Histogram.ToArray();
        Assert.Equal(2, histogram[0]);
        Assert.Equal(1, histogram[(int)(1e20 * 8 / statistics.HistogramRange)]);
        Assert.Equal(3, histogram.Sum());
    }

    [Fact]
    public void LeadingZeros_StayInBinZeroOnceARangeIsSet()
    {
        var statistics = new TensorStatistics(collectHistogram: true, bins: 4);
        statistics.Add([0f, 0f, 0f]);
        Assert.Equal(0f, statistics.HistogramRange);

        // Range 2 × 4 / 3.5: 2 and 1.5 sit at 3.5 and 2.6 bin widths.
        statistics.Add([2f, -1.5f]);

        Assert.Equal([3, 0, 1, 1], statistics.Histogram.ToArray());
    }

    [Fact]
    public void MergingByDoubling_MatchesBinningEverythingAtTheFinalRange()
    {
        const int Bins = 64;
        var random = new Random(3);
        var batches = Enumerable.Range(0, 20)
            .Select(batch => Enumerable.Range(0, 1000 + batch).Select(_ => (float)(random.NextDouble() - 0.5) * (1 << (batch / 4))).ToArray())
            .ToArray();
        var statistics = new TensorStatistics(collectHistogram: true, Bins);
        foreach (var batch in batches)
        {
            statistics.Add(batch);
        }

        var binsPerUnit = Bins / statistics.HistogramRange;
        var expected = new long[Bins];
        foreach (var value in batches.SelectMany(batch => batch))
        {
            expected[(int)(MathF.Abs(value) * binsPerUnit)]++;
        }

        Assert.Equal(expected, statistics.Histogram.ToArray());
    }

    [Fact]
    public void BatchWithNaN_BinsLikeTheSameBatchWithoutIt()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 10_007).Select(_ => (float)((random.NextDouble() * 6) - 3)).ToArray();
        var clean = new TensorStatistics(collectHistogram: true, bins: 256);
        clean.Add(values);

        var withNaN = new TensorStatistics(collectHistogram: true, bins: 256);
        withNaN.Add([.. values, float.NaN]);

        Assert.Equal(clean.HistogramRange, withNaN.HistogramRange);
        Assert.Equal(clean.Histogram.ToArray(), withNaN.Histogram.ToArray());
        Assert.Equal(clean.Count, withNaN.Count);
    }

    [Fact]
    public void OddLengthsAcrossChunks_CountEveryValue()
    {
        var statistics = new TensorStatistics(collectHistogram: true);
        var total = 0L;
        foreach (var length in new[] { 1, 3, 4095, 4096, 4097, 12_345 })
        {
            statistics.Add(Enumerable.Range(0, length).Select(i => (float)Math.Sin(i)).ToArray());
            total += length;
        }

        Assert.Equal(total, statistics.Count);
        Assert.Equal(total, statistics.Histogram.ToArray().Sum());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void NoBins_Throws(int bins)
    {
        Assert.Throws<QuantizeException>(() => new TensorStatistics(collectHistogram: true, bins));
    }
}
