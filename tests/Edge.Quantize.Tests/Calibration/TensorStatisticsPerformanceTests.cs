using System.Diagnostics;
using Edge.Quantize.Calibration;
using Xunit.Abstractions;

namespace Edge.Quantize.Tests.Calibration;

public sealed class TensorStatisticsPerformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Add_AfterTheFirstCall_AllocatesNothing()
    {
        var statistics = new TensorStatistics(collectHistogram: true);
        var batch = CalibrationSamples.Gaussian(seed: 1, count: 100_000, sigma: 1);
        var wider = CalibrationSamples.Gaussian(seed: 2, count: 100_000, sigma: 10);
        var withNaN = (float[])batch.Clone();
        withNaN[17] = float.NaN;
        statistics.Add(batch);
        _ = statistics.Histogram;

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            statistics.Add(batch);
            statistics.Add(wider);
            statistics.Add(withNaN);
            statistics.Add(batch.AsSpan(0, 1001));
            _ = statistics.Histogram;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Add_Throughput_IsReported()
    {
        const int BatchLength = 800_000;
        const int Batches = 30;
        var relu = CalibrationSamples.Gaussian(seed: 4, count: BatchLength, sigma: 2).Select(value => MathF.Max(value, 0)).ToArray();
        var withHistogram = new TensorStatistics(collectHistogram: true);
        var minMaxOnly = new TensorStatistics(collectHistogram: false);
        withHistogram.Add(relu);
        minMaxOnly.Add(relu);

        var histogramTime = Time(() => withHistogram.Add(relu), Batches);
        var minMaxTime = Time(() => minMaxOnly.Add(relu), Batches);

        output.WriteLine($"histogram: {histogramTime.TotalNanoseconds / Batches / BatchLength:F2} ns/value, min/max only: {minMaxTime.TotalNanoseconds / Batches / BatchLength:F2} ns/value");
        Assert.Equal((Batches + 1L) * BatchLength, withHistogram.Histogram.ToArray().Sum());
    }

    private static TimeSpan Time(Action action, int repetitions)
    {
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < repetitions; i++)
        {
            action();
        }

        return stopwatch.Elapsed;
    }
}
