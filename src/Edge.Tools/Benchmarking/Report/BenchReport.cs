namespace Edge.Tools.Benchmarking.Report;

/// <summary>
/// <c>edge bench --report DIR</c>: per variant a latency CDF, latency histograms and a per-frame timeline (PNG), and
/// <c>summary.md</c> with the run's mode, environment, tables and those charts.
/// </summary>
public static class BenchReport
{
    public const string SummaryFile = "summary.md";

    /// <summary>Writes the report into <paramref name="directory"/> (created if missing), replacing files of the same names.</summary>
    /// <returns>The paths of the files written: each variant's charts in run order, then the summary.</returns>
    public static IReadOnlyList<string> Write(string directory, BenchResult result)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var charts = new List<VariantChartFiles>();
        var budgetMs = result.Options.BudgetMs;
        for (var i = 0; i < result.Variants.Count; i++)
        {
            var variant = result.Variants[i];
            var files = VariantChartFiles.For(i, variant.Name);
            var series = LatencySeries.Of(variant);
            BenchCharts.LatencyCdf(Path.Combine(directory, files.LatencyCdf), $"latency CDF: {variant.Name}", series, budgetMs);
            BenchCharts.LatencyHistograms(Path.Combine(directory, files.LatencyHistogram), $"latency histograms: {variant.Name}", series);
            TimelineChart.Draw(Path.Combine(directory, files.Timeline), $"end-to-end latency per frame: {variant.Name}", variant.Timeline, variant.BlockStarts, budgetMs);
            charts.Add(files);
            written.AddRange(files.All.Select(file => Path.Combine(directory, file)));
        }

        var summary = Path.Combine(directory, SummaryFile);
        File.WriteAllText(summary, BenchSummary.Markdown(result, charts));
        written.Add(summary);
        return written;
    }
}
