using System.Globalization;

namespace Edge.Tools.Evaluation.Robustness;

/// <summary>
/// The table <c>edge eval --robustness</c> prints for people: one row per family (kind, images, mAP, OF1, OR and each
/// one's gap to the clean family, Δ = clean − family), a final "shifted mean" row over the shifted families, and the
/// worst family. Percentages with two decimals; "-" where a value is undefined.
/// </summary>
public static class RobustnessTable
{
    public const string ShiftedMeanRow = "shifted mean";

    public static void Write(TextWriter output, RobustnessResult result)
    {
        var set = result.Set;
        var nameWidth = Math.Max(ShiftedMeanRow.Length, result.Families.Max(family => family.Family.Name.Length)) + 2;
        output.WriteLine(F($"robustness set {set.Directory}: split {set.Split}, seed {set.Seed}, {set.Count} scenes per family at {set.Size} px; metrics at the model's thresholds"));
        output.WriteLine(F($"{"family".PadRight(nameWidth)}{"kind",-12}{"images",7}{"mAP",8}{"ΔmAP",8}{"OF1",8}{"ΔOF1",8}{"OR",8}{"ΔOR",8}"));
        foreach (var family in result.Families)
        {
            var m = family.Metrics;
            output.WriteLine(F($"{family.Family.Name.PadRight(nameWidth)}{family.Family.Kind,-12}{m.Images,7}{P(m.MeanAp)}{P(family.Gap.MeanAp)}{P(m.OF1)}{P(family.Gap.OF1)}{P(m.OR)}{P(family.Gap.OR)}"));
        }

        var summary = result.Summary;
        var families = F($"{summary.ShiftedFamilies} {(summary.ShiftedFamilies == 1 ? "family" : "families")}");
        output.WriteLine(F($"{ShiftedMeanRow.PadRight(nameWidth)}{families,-12}{"",7}{P(summary.ShiftedMeanAp)}{P(summary.ShiftedGap.MeanAp)}{P(summary.ShiftedOF1)}{P(summary.ShiftedGap.OF1)}{P(summary.ShiftedOR)}{P(summary.ShiftedGap.OR)}"));
        output.WriteLine(summary.Worst is { } worst
            ? F($"worst family: {worst.Family.Name} ({worst.Family.Kind}), mAP {worst.Metrics.MeanAp:F2}, {worst.Gap.MeanAp:F2} below clean")
            : "worst family: none (no family besides the clean one has a defined mAP)");
    }

    private static string P(double value) => double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture).PadLeft(8) : "       -";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
