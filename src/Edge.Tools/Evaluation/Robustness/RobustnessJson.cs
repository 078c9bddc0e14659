using System.Text.Json;
using Edge.Runtime.Bundles;
using static Edge.Runtime.Publishing.JsonNumbers;

namespace Edge.Tools.Evaluation.Robustness;

/// <summary>
/// Writes <c>edge eval --robustness --json</c>, schema <see cref="Format"/>: <c>model</c>, <c>set</c>, one entry per
/// family in <c>families</c> (the keys of <c>edge eval --json</c> for the family's images, plus <c>gap</c>: clean minus
/// family for <c>mAP</c>, <c>OF1</c> and <c>OR</c>), <c>summary</c> and, when tuned, <c>tuned_thresholds</c>.
/// Percentages rounded to 4 decimals; undefined values are null.
/// </summary>
public static class RobustnessJson
{
    public const string Format = "edge-robustness-report/1";

    public static void Write(Stream stream, RobustnessResult result, ModelBundle bundle, IReadOnlyList<TunedThreshold>? tuned = null)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        EvaluationJson.WriteModel(writer, bundle);
        WriteSet(writer, result.Set);
        writer.WriteStartArray("families");
        foreach (var family in result.Families)
        {
            WriteFamily(writer, family);
        }

        writer.WriteEndArray();
        WriteSummary(writer, result.Summary);
        if (tuned is not null)
        {
            EvaluationJson.WriteTuned(writer, tuned);
        }

        writer.WriteEndObject();
    }

    private static void WriteSet(Utf8JsonWriter writer, RobustnessSet set)
    {
        writer.WriteStartObject("set");
        writer.WriteString("path", set.Directory);
        writer.WriteString("split", set.Split);
        writer.WriteNumber("seed", set.Seed);
        writer.WriteNumber("count", set.Count);
        writer.WriteNumber("size", set.Size);
        writer.WriteEndObject();
    }

    private static void WriteFamily(Utf8JsonWriter writer, FamilyResult family)
    {
        writer.WriteStartObject();
        writer.WriteString("name", family.Family.Name);
        writer.WriteString("folder", family.Family.Folder);
        writer.WriteString("kind", family.Family.Kind);
        writer.WriteString("description", family.Family.Description);
        writer.WritePropertyName("parameters");
        writer.WriteRawValue(family.Family.Parameters);
        EvaluationJson.WriteMetrics(writer, family.Metrics);
        WriteGap(writer, "gap", family.Gap);
        writer.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter writer, RobustnessSummary summary)
    {
        writer.WriteStartObject("summary");
        Number(writer, "clean_mAP", summary.Clean.MeanAp);
        Number(writer, "clean_OF1", summary.Clean.OF1);
        Number(writer, "clean_OR", summary.Clean.OR);
        writer.WriteNumber("shifted_families", summary.ShiftedFamilies);
        Number(writer, "shifted_mean_mAP", summary.ShiftedMeanAp);
        Number(writer, "shifted_mean_OF1", summary.ShiftedOF1);
        Number(writer, "shifted_mean_OR", summary.ShiftedOR);
        WriteGap(writer, "shifted_gap", summary.ShiftedGap);
        if (summary.Worst is { } worst)
        {
            writer.WriteStartObject("worst_family");
            writer.WriteString("name", worst.Family.Name);
            writer.WriteString("kind", worst.Family.Kind);
            Number(writer, "mAP", worst.Metrics.MeanAp);
            Number(writer, "gap_mAP", worst.Gap.MeanAp);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("worst_family");
        }

        writer.WriteEndObject();
    }

    private static void WriteGap(Utf8JsonWriter writer, string name, MetricGap gap)
    {
        writer.WriteStartObject(name);
        Number(writer, "mAP", gap.MeanAp);
        Number(writer, "OF1", gap.OF1);
        Number(writer, "OR", gap.OR);
        writer.WriteEndObject();
    }
}
