using System.Text;
using Edge.Runtime.Budget;
using Edge.Runtime.Inference;
using static Edge.Tools.Benchmarking.Report.Markdown;

namespace Edge.Tools.Benchmarking.Report;

/// <summary><c>summary.md</c> of a bench report: how the run was made, on what, its numbers and its charts.</summary>
internal static class BenchSummary
{
    public static string Markdown(BenchResult result, IReadOnlyList<VariantChartFiles> charts)
    {
        var text = new StringBuilder();
        text.AppendLine("# edge bench");
        text.AppendLine();
        text.AppendLine("Latencies in milliseconds, warm-up excluded; definitions in docs/benchmarking.md.");
        text.AppendLine();
        text.AppendLine("## Mode");
        text.AppendLine();
        Facts(text, "setting", Mode(result));
        text.AppendLine("## Environment");
        text.AppendLine();
        Facts(text, "item", result.Environment.Describe());
        if (result.Variants.Count > 1)
        {
            Comparison(text, result.Variants);
        }

        for (var i = 0; i < result.Variants.Count; i++)
        {
            VariantSection.Write(text, i, result.Variants[i], charts[i]);
        }

        if (result.Power is { } power)
        {
            Power(text, power, result.Variants.Sum(v => v.Published));
        }

        return text.ToString();
    }

    private static IEnumerable<(string, string)> Mode(BenchResult result)
    {
        var options = result.Options;
        yield return ("rate", options.Rate == 0 ? "max (each frame as soon as the last is done)" : Quantity(options.Rate, "0.###", "fps"));
        yield return ("length", options.DurationSeconds is { } seconds
            ? $"{Quantity(seconds, "0.###", "s")} measured, all variants together"
            : $"{Count(options.Frames)} measured frames per variant");
        yield return ("warm-up", $"{Count(options.WarmUpFrames)} frames per variant");
        yield return ("blocks", $"{Count(options.BlockFrames)} frames, variants and bare inference taking turns");
        yield return ("budget", Quantity(options.BudgetMs, "0.###", "ms"));
        var stageBudgets = Enum.GetValues<PipelineStage>()
            .Where(stage => options.StageBudgets.Of(stage) is not null)
            .Select(stage => $"{stage.ToString().ToLowerInvariant()} {Quantity(options.StageBudgets.Of(stage)!.Value, "0.###", "ms")}")
            .ToArray();
        yield return ("stage budgets", stageBudgets.Length == 0 ? "none" : string.Join(", ", stageBudgets));
        yield return ("miss policy", options.MissPolicy.Name());
        yield return ("threads", options.Threads == 0 ? "ONNX Runtime's default" : Count(options.Threads));
        yield return ("cpu spin", options.CpuSpin.Name());
        if (options.Delay is { } delay)
        {
            yield return ("injected delay", $"{delay.Stage.ToString().ToLowerInvariant()} {Quantity(delay.Duration.TotalMilliseconds, "0.###", "ms")}");
        }

        yield return ("source", Code(Edge.Camera.Sources.SourceSpec.MaskCredentials(options.Source)));
        yield return ("frame size", $"{Count(result.FrameSize.Width)}x{Count(result.FrameSize.Height)}");
        yield return ("wall time", Quantity(result.WallSeconds, "F1", "s"));
        yield return ("peak RSS", Quantity(result.PeakRssMb, "F1", "MB"));
    }

    /// <summary>The same ratios as the JSON's <c>comparison</c>, with the baseline's own row for reference.</summary>
    private static void Comparison(StringBuilder text, IReadOnlyList<VariantResult> variants)
    {
        var baseline = variants[0];
        text.AppendLine("## Comparison");
        text.AppendLine();
        text.AppendLine($"Ratios to the first variant, {Code(baseline.Name)}; speed-up is its end-to-end p50 over the variant's (above 1: faster).");
        text.AppendLine();
        Table(
            text,
            ["variant", "e2e p50 ratio", "e2e p99 ratio", "bare p50 ratio", "fps ratio", "speed-up (p50)"],
            variants.Select((v, index) => (IReadOnlyList<string>)
            [
                index == 0 ? $"{Code(v.Name)} (baseline)" : Code(v.Name),
                Number(v.EndToEnd.P50 / baseline.EndToEnd.P50),
                Number(v.EndToEnd.P99 / baseline.EndToEnd.P99),
                Number(v.Bare.P50 / baseline.Bare.P50),
                Number(v.Fps / baseline.Fps),
                Number(baseline.EndToEnd.P50 / v.EndToEnd.P50),
            ]));
    }

    private static void Power(StringBuilder text, PowerReport power, long published)
    {
        text.AppendLine("## Power");
        text.AppendLine();
        text.AppendLine($"Board power over the measured phase, all variants together: {Count(power.Samples)} samples over {Quantity(power.Duration.TotalSeconds, "F1", "s")}.");
        text.AppendLine();
        Table(
            text,
            ["rail", "mean W", "energy J"],
            [
                .. power.Rails.Select(rail => (IReadOnlyList<string>)[rail.Name, Number(rail.MeanWatts, "F3"), Number(rail.EnergyJoules, "F3")]),
                ["total", Number(power.TotalMeanWatts, "F3"), Number(power.TotalEnergyJoules, "F3")],
            ]);
        text.AppendLine($"Energy per published frame (all variants): {Quantity(published == 0 ? double.NaN : power.TotalEnergyJoules / published, "F4", "J")}.");
        text.AppendLine();
    }
}
