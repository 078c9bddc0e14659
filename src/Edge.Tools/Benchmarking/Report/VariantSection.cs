using System.Text;
using static Edge.Tools.Benchmarking.Report.Markdown;

namespace Edge.Tools.Benchmarking.Report;

/// <summary>One variant's part of <c>summary.md</c>: its facts, latency tables and charts.</summary>
internal static class VariantSection
{
    private static readonly string[] LatencyHeader = ["p50", "p90", "p99", "p99.9", "max", "mean", "samples"];

    public static void Write(StringBuilder text, int index, VariantResult v, VariantChartFiles charts)
    {
        text.AppendLine($"## Variant {index + 1}: {Code(v.Name)}");
        text.AppendLine();
        Facts(text, "measure", Measures(v));
        LatencyTable(text, "latency (ms)", [("end-to-end", v.EndToEnd), ("bare inference", v.Bare)]);
        var stages = v.Stages.Select(stage => (stage.Key.ToString().ToLowerInvariant(), stage.Value)).ToList();
        if (v.CancelDelay.Count > 0)
        {
            stages.Add(("cancel delay (deadline to return)", v.CancelDelay));
        }

        LatencyTable(text, "stage (ms)", stages);
        text.AppendLine($"![latency CDF of {AltText(v.Name)}]({charts.LatencyCdf})");
        text.AppendLine();
        text.AppendLine($"![latency histograms of {AltText(v.Name)}]({charts.LatencyHistogram})");
        text.AppendLine();
        text.AppendLine($"![end-to-end latency of every frame of {AltText(v.Name)}]({charts.Timeline})");
        text.AppendLine();
    }

    private static IEnumerable<(string, string)> Measures(VariantResult v)
    {
        yield return ("model", $"{Code(v.ModelName)} ({Code(v.ModelPath)}, sha256 {Code(v.Sha256)})");
        yield return ("precision", v.Precision);
        yield return ("execution provider", v.Ep);
        yield return ("session create / first inference", $"{Quantity(v.SessionCreateMs, "F1", "ms")} / {Quantity(v.FirstInferenceMs, "F1", "ms")}");
        yield return ("frames offered / published", $"{Count(v.Frames)} / {Count(v.Published)}");
        yield return ("dropped / skipped", $"{Count(v.Dropped)} / {Count(v.Skipped)}");
        yield return ("missed: late / withheld / cancelled (total)", $"{Count(v.Late)} / {Count(v.Withheld)} / {Count(v.Cancelled)} ({Count(v.Missed)})");
        yield return ("degradations", Count(v.Degradations));
        yield return ("throughput", $"{Quantity(v.Fps, "F1", "fps")} over {Quantity(v.MeasuredSeconds, "F1", "s")}");
        yield return ("overhead (end-to-end / bare) p50 / p99", $"{Number(v.OverheadRatioP50)} / {Number(v.OverheadRatioP99)}");
        if (v.Overhead.Warning is { } warning)
        {
            yield return ("overhead warning", warning);
        }

        yield return ("jitter: end-to-end / interval std dev", $"{Quantity(v.EndToEnd.StdDev, "F3", "ms")} / {Quantity(v.IntervalStdDevMs, "F3", "ms")}");
        yield return ("allocated per frame", Quantity(v.AllocBytesPerFrame, "F1", "B"));
        yield return ("GC gen0 / gen1 / gen2, pause", $"{Count(v.Gen0)} / {Count(v.Gen1)} / {Count(v.Gen2)}, {Quantity(v.GcPauseMs, "F2", "ms")}");
        yield return ("CPU", Quantity(v.CpuPercent, "F1", "% of one core"));
    }

    private static void LatencyTable(StringBuilder text, string title, IEnumerable<(string Name, LatencySummary Summary)> rows) =>
        Table(text, [title, .. LatencyHeader], rows.Select(row => (IReadOnlyList<string>)
        [
            row.Name, Ms(row.Summary.P50), Ms(row.Summary.P90), Ms(row.Summary.P99), Ms(row.Summary.P999), Ms(row.Summary.Max), Ms(row.Summary.Mean), Count(row.Summary.Count),
        ]));

    private static string Ms(double value) => Number(value, "F3");
}
