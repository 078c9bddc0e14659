using Edge.Tools.Benchmarking;
using Edge.Tools.Benchmarking.Report;
using OpenCvSharp;

namespace Edge.Tools.Tests.Benchmarking;

public sealed class BenchReportTests : IDisposable
{
    private readonly DirectoryInfo output = Directory.CreateTempSubdirectory("edge-bench-report-");

    private static BenchResult TwoVariants() => SyntheticBench.Result(
    [
        SyntheticBench.Variant("models/mobilenet@cpu", inferenceMs: 12, seed: 1),
        SyntheticBench.Variant("models/mobilenet-int8@cpu", inferenceMs: 6, seed: 2),
    ]);

    [Fact]
    public void Write_TwoVariants_WritesThreeChartsPerVariantThenTheSummary()
    {
        var written = BenchReport.Write(output.FullName, TwoVariants());

        Assert.Equal(
            [
                "v1-models-mobilenet-cpu-latency-cdf.png", "v1-models-mobilenet-cpu-latency-histogram.png", "v1-models-mobilenet-cpu-timeline.png",
                "v2-models-mobilenet-int8-cpu-latency-cdf.png", "v2-models-mobilenet-int8-cpu-latency-histogram.png", "v2-models-mobilenet-int8-cpu-timeline.png",
                BenchReport.SummaryFile,
            ],
            written.Select(Path.GetFileName));
        Assert.All(written, path => Assert.True(File.Exists(path), path));
        Assert.All(written, path => Assert.Equal(output.FullName, Path.GetDirectoryName(path)));
    }

    [Fact]
    public void Write_Charts_DecodeAsPngsOfTheirDrawnSizeWithSomethingDrawn()
    {
        var written = BenchReport.Write(output.FullName, TwoVariants());

        var (histogramWidth, histogramHeight) = BenchCharts.HistogramSize(7);
        foreach (var path in written.Where(path => path.EndsWith(".png", StringComparison.Ordinal)))
        {
            using var image = Cv2.ImRead(path, ImreadModes.Color);
            Assert.False(image.Empty(), path);
            var expected = path switch
            {
                _ when path.EndsWith("latency-cdf.png", StringComparison.Ordinal) => new Size(BenchCharts.CdfWidth, BenchCharts.CdfHeight),
                _ when path.EndsWith("latency-histogram.png", StringComparison.Ordinal) => new Size(histogramWidth, histogramHeight),
                _ => new Size(TimelineChart.Width, TimelineChart.Height),
            };
            Assert.Equal(expected, image.Size());
            Assert.True(ColouredPixels(image) > 500, $"{path} has almost nothing coloured on it");
        }
    }

    [Fact]
    public void Write_Summary_NamesTheVariantsComparesThemAndLinksEveryChart()
    {
        var written = BenchReport.Write(output.FullName, TwoVariants());

        var summary = File.ReadAllText(Path.Combine(output.FullName, BenchReport.SummaryFile));
        Assert.Contains("## Variant 1: `models/mobilenet@cpu`", summary, StringComparison.Ordinal);
        Assert.Contains("## Variant 2: `models/mobilenet-int8@cpu`", summary, StringComparison.Ordinal);
        Assert.Contains("## Comparison", summary, StringComparison.Ordinal);
        Assert.Contains("| `models/mobilenet@cpu` (baseline) | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 |", summary, StringComparison.Ordinal);
        Assert.Contains("| speed-up (p50) |", summary, StringComparison.Ordinal);
        foreach (var chart in written.Where(path => path.EndsWith(".png", StringComparison.Ordinal)))
        {
            Assert.Contains($"]({Path.GetFileName(chart)})", summary, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Write_Summary_HasModeEnvironmentAndPerStageTablesInInvariantNumbers()
    {
        BenchReport.Write(output.FullName, TwoVariants());

        var summary = File.ReadAllText(Path.Combine(output.FullName, BenchReport.SummaryFile));
        Assert.Contains("| rate | 30 fps |", summary, StringComparison.Ordinal);
        Assert.Contains("| length | 200 measured frames per variant |", summary, StringComparison.Ordinal);
        Assert.Contains("| budget | 20 ms |", summary, StringComparison.Ordinal);
        Assert.Contains("| stage budgets | inference 15 ms |", summary, StringComparison.Ordinal);
        Assert.Contains("| miss policy | flag |", summary, StringComparison.Ordinal);
        Assert.Contains("| frame size | 640x480 |", summary, StringComparison.Ordinal);
        Assert.Contains("| peak RSS | 321.4 MB |", summary, StringComparison.Ordinal);
        Assert.Contains("| cpu governor |", summary, StringComparison.Ordinal);
        Assert.Contains("| session create / first inference | 150.5 ms / 42.3 ms |", summary, StringComparison.Ordinal);
        Assert.Contains("| stage (ms) | p50 | p90 | p99 | p99.9 | max | mean | samples |", summary, StringComparison.Ordinal);
        foreach (var stage in new[] { "queue", "preprocess", "inference", "decode", "publish", "cancel delay (deadline to return)" })
        {
            Assert.Contains($"| {stage} | ", summary, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("## Power", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OneVariant_HasNoComparison()
    {
        BenchReport.Write(output.FullName, SyntheticBench.Result([SyntheticBench.Variant("solo", inferenceMs: 5)]));

        var summary = File.ReadAllText(Path.Combine(output.FullName, BenchReport.SummaryFile));
        Assert.DoesNotContain("## Comparison", summary, StringComparison.Ordinal);
        Assert.Contains("## Variant 1: `solo`", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_WithPower_TabulatesRailsTotalAndEnergyPerFrame()
    {
        var variant = SyntheticBench.Variant("solo", inferenceMs: 5);
        var power = new PowerReport([new RailEnergy("VDD_IN", 7.5, 30), new RailEnergy("VDD_CPU_GPU_CV", 3.25, 13)], 7.5, 30, TimeSpan.FromSeconds(4), 400);

        BenchReport.Write(output.FullName, SyntheticBench.Result([variant], power));

        var summary = File.ReadAllText(Path.Combine(output.FullName, BenchReport.SummaryFile));
        Assert.Contains("## Power", summary, StringComparison.Ordinal);
        Assert.Contains("| VDD_CPU_GPU_CV | 3.250 | 13.000 |", summary, StringComparison.Ordinal);
        Assert.Contains("| total | 7.500 | 30.000 |", summary, StringComparison.Ordinal);
        Assert.Contains($"Energy per published frame (all variants): {30.0 / variant.Published:F4} J.", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_VariantWithoutSamples_StillWritesEveryFileAndShowsDashes()
    {
        var result = SyntheticBench.Result([SyntheticBench.Empty("nothing measured"), SyntheticBench.Variant("models/b@cpu", inferenceMs: 8)]);

        var written = BenchReport.Write(output.FullName, result);

        Assert.Equal(7, written.Count);
        foreach (var path in written.Where(path => path.EndsWith(".png", StringComparison.Ordinal)))
        {
            using var image = Cv2.ImRead(path, ImreadModes.Color);
            Assert.False(image.Empty(), path);
        }

        var summary = File.ReadAllText(Path.Combine(output.FullName, BenchReport.SummaryFile));
        Assert.Contains("| end-to-end | – | – | – | – | – | – | 0 |", summary, StringComparison.Ordinal);
        Assert.Contains("| `models/b@cpu` | – | – | – | – | – |", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("∞", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_NameWithMarkdownCharacters_KeepsLinksAndTablesIntact()
    {
        var result = SyntheticBench.Result([SyntheticBench.Variant("a[b]|c", inferenceMs: 5), SyntheticBench.Variant("d", inferenceMs: 6)]);

        var written = BenchReport.Write(output.FullName, result);

        var summary = File.ReadAllText(Path.Combine(output.FullName, BenchReport.SummaryFile));
        Assert.Equal("v1-a-b-c-latency-cdf.png", Path.GetFileName(written[0]));
        Assert.Contains("![latency CDF of a(b)|c](v1-a-b-c-latency-cdf.png)", summary, StringComparison.Ordinal);
        Assert.Contains("| `a[b]\\|c` (baseline) |", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_MissingDirectory_IsCreated()
    {
        var nested = Path.Combine(output.FullName, "a", "b");

        var written = BenchReport.Write(nested, TwoVariants());

        Assert.All(written, path => Assert.True(File.Exists(path), path));
    }

    public void Dispose() => output.Delete(recursive: true);

    /// <summary>Pixels that are neither white paper nor grey ink or grid: what the series were drawn in.</summary>
    private static int ColouredPixels(Mat image)
    {
        using var hsv = image.CvtColor(ColorConversionCodes.BGR2HSV);
        using var saturated = hsv.InRange(new Scalar(0, 80, 40), new Scalar(180, 255, 255));
        return Cv2.CountNonZero(saturated);
    }
}
