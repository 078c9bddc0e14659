using System.Globalization;
using System.Text;
using Edge.Tools.Benchmarking.Streams;

namespace Edge.Tools.Benchmarking.Report;

/// <summary><c>edge bench --streams --report DIR</c>: the scaling chart (<see cref="ChartFile"/>) and <c>summary.md</c> with a table per stream count.</summary>
public static class StreamBenchReport
{
    public const string ChartFile = "streams-scaling.png";

    /// <summary>Writes the report into <paramref name="directory"/> (created if missing), replacing files of the same names.</summary>
    /// <returns>The paths of the files written: the chart, then the summary.</returns>
    public static IReadOnlyList<string> Write(string directory, StreamBenchResult result)
    {
        Directory.CreateDirectory(directory);
        var chart = Path.Combine(directory, ChartFile);
        StreamScalingChart.Draw(chart, result);
        var summary = Path.Combine(directory, BenchReport.SummaryFile);
        File.WriteAllText(summary, Markdown(result));
        return [chart, summary];
    }

    private static string Markdown(StreamBenchResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"# edge bench --streams {string.Join(",", result.Options.StreamCounts)}");
        text.AppendLine();
        text.AppendLine(c, $"{result.ModelName} ({result.Precision}) on {result.Ep}, bundle max batch {result.BundleMaxBatch}, budget {result.Options.Bench.BudgetMs} ms.");
        text.AppendLine();
        text.AppendLine(c, $"![aggregate throughput and p99 against streams]({ChartFile})");
        text.AppendLine();
        Report.Markdown.Table(
            text,
            ["streams", "max batch", "aggregate fps", "bare batched fps", "pipeline/bare", "p50 ms", "p99 ms", "max ms", "misses", "fairness"],
            result.Counts.Select(run => (IReadOnlyList<string>)
            [
                Report.Markdown.Count(run.StreamCount), Report.Markdown.Count(run.MaxBatch), Report.Markdown.Number(run.AggregateFps, "F1"), Report.Markdown.Number(run.BareFps, "F1"),
                Report.Markdown.Number(run.ThroughputRatio, "F3"), Report.Markdown.Number(run.EndToEnd.P50), Report.Markdown.Number(run.EndToEnd.P99), Report.Markdown.Number(run.EndToEnd.Max),
                Report.Markdown.Count(run.Misses), Report.Markdown.Number(run.Fairness, "F3"),
            ]));
        foreach (var run in result.Counts)
        {
            text.AppendLine(c, $"## {run.StreamCount} streams");
            text.AppendLine();
            Report.Markdown.Table(
                text,
                ["stream", "rate", "published", "fps", "p50 ms", "p99 ms", "max ms", "misses"],
                run.Streams.Select(s => (IReadOnlyList<string>)
                [
                    Report.Markdown.Code(s.Id), s.Rate == 0 ? "max" : Report.Markdown.Number(s.Rate, "0.#"), Report.Markdown.Count(s.Published), Report.Markdown.Number(s.Fps, "F1"),
                    Report.Markdown.Number(s.EndToEnd.P50), Report.Markdown.Number(s.EndToEnd.P99), Report.Markdown.Number(s.EndToEnd.Max), Report.Markdown.Count(s.Misses),
                ]));
            Report.Markdown.Table(
                text,
                ["batch size", "batches", "predicted ms", "actual ms", "bare p50 ms", "bare fps"],
                run.BatchSizes.Where(b => b.Batches > 0).Select(b => (IReadOnlyList<string>)
                [
                    Report.Markdown.Count(b.Size), Report.Markdown.Count(b.Batches), Report.Markdown.Number(b.PredictedMs), Report.Markdown.Number(b.ActualMs),
                    Report.Markdown.Number(b.Bare.P50), Report.Markdown.Number(b.BareFps, "F1"),
                ]));
        }

        return text.ToString();
    }
}
