using System.Text.Json;
using Edge.Runtime.Bundles;
using static Edge.Runtime.Publishing.JsonNumbers;

namespace Edge.Tools.Evaluation;

/// <summary>
/// Writes <c>edge eval --json</c>: the metric keys other tools read (<c>mAP</c>, <c>CP</c>, …, <c>per_label</c>,
/// <c>model</c>, <c>slices</c>). Percentages rounded to 4 decimals; undefined values (AP of a label without
/// positives) are null.
/// </summary>
public static class EvaluationJson
{
    public static void Write(Stream stream, EvaluationResult result, ModelBundle bundle, string dataset, IReadOnlyList<TunedThreshold>? tuned = null)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        WriteMetrics(writer, result.Overall);
        writer.WriteString("dataset", dataset);
        WriteModel(writer, bundle);
        writer.WriteStartObject("slices");
        foreach (var (name, metrics) in result.Slices)
        {
            writer.WriteStartObject(name);
            WriteMetrics(writer, metrics);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        if (tuned is not null)
        {
            WriteTuned(writer, tuned);
        }

        writer.WriteEndObject();
    }

    /// <summary><c>"model": {"name", "sha256", "precision"}</c>.</summary>
    internal static void WriteModel(Utf8JsonWriter writer, ModelBundle bundle)
    {
        writer.WriteStartObject("model");
        writer.WriteString("name", bundle.Name);
        writer.WriteString("sha256", bundle.Sha256);
        writer.WriteString("precision", bundle.Precision);
        writer.WriteEndObject();
    }

    /// <summary><c>"tuned_thresholds": [{"label", "threshold", "tuned", "f1", "tuned_f1", "positives"}]</c>.</summary>
    internal static void WriteTuned(Utf8JsonWriter writer, IReadOnlyList<TunedThreshold> tuned)
    {
        writer.WriteStartArray("tuned_thresholds");
        foreach (var t in tuned)
        {
            writer.WriteStartObject();
            writer.WriteString("label", t.Label);
            writer.WriteNumber("threshold", Math.Round(t.Old, 4));
            writer.WriteNumber("tuned", t.New);
            Number(writer, "f1", t.OldF1);
            Number(writer, "tuned_f1", t.NewF1);
            writer.WriteNumber("positives", t.Positives);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>The metric keys of one dataset or slice, from <c>mAP</c> to <c>per_label</c>, into the open object.</summary>
    internal static void WriteMetrics(Utf8JsonWriter writer, MetricsReport metrics)
    {
        Number(writer, "mAP", metrics.MeanAp);
        Number(writer, "CP", metrics.CP);
        Number(writer, "CR", metrics.CR);
        Number(writer, "CF1", metrics.CF1);
        Number(writer, "OP", metrics.OP);
        Number(writer, "OR", metrics.OR);
        Number(writer, "OF1", metrics.OF1);
        Number(writer, "CP_top3", metrics.Top3.CP);
        Number(writer, "CR_top3", metrics.Top3.CR);
        Number(writer, "CF1_top3", metrics.Top3.CF1);
        Number(writer, "OP_top3", metrics.Top3.OP);
        Number(writer, "OR_top3", metrics.Top3.OR);
        Number(writer, "OF1_top3", metrics.Top3.OF1);
        Number(writer, "hamming_loss", metrics.HammingLoss);
        Number(writer, "subset_accuracy", metrics.SubsetAccuracy);
        Number(writer, "example_f1", metrics.ExampleF1);
        writer.WriteNumber("images", metrics.Images);
        writer.WriteStartArray("skipped_labels");
        foreach (var label in metrics.SkippedLabels)
        {
            writer.WriteStringValue(label);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("per_label");
        foreach (var label in metrics.PerLabel)
        {
            writer.WriteStartObject();
            writer.WriteString("label", label.Label);
            Number(writer, "ap", label.Ap);
            Number(writer, "precision", label.Precision);
            Number(writer, "recall", label.Recall);
            Number(writer, "f1", label.F1);
            writer.WriteNumber("support", label.Support);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
