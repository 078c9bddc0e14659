using System.Globalization;
using System.Text;
using System.Text.Json;
using Edge.Quantize;
using static Edge.Runtime.Publishing.JsonNumbers;

namespace Edge.Tools.Quantization;

/// <summary>
/// The report of <c>edge quantize</c>: <c>quantization-report.json</c> and <c>quantization-report.md</c> with per-label
/// AP FP32 vs INT8, the mAP drop, per-tensor SQNR, what was quantized and what ONNX Runtime fused, and FP32 vs INT8
/// latency measured in the same run.
/// </summary>
public static class QuantizationReport
{
    public const string JsonFile = "quantization-report.json";
    public const string MarkdownFile = "quantization-report.md";

    public static IReadOnlyList<string> Write(string directory, QuantizationOutcome outcome)
    {
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, JsonFile);
        using (var stream = File.Create(json))
        {
            WriteJson(stream, outcome);
        }

        var markdown = Path.Combine(directory, MarkdownFile);
        File.WriteAllText(markdown, Markdown(outcome));
        return [json, markdown];
    }

    public static void WriteJson(Stream stream, QuantizationOutcome o)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("schema", "edge.quantization-report/1");
        w.WriteString("source_model", o.Source.Name);
        w.WriteString("source_sha256", o.Source.Sha256);
        w.WriteString("model", o.Bundle.Name);
        w.WriteString("sha256", o.Bundle.Sha256);
        w.WriteString("target", o.Request.Target.Name());
        w.WriteString("method", o.Request.Method.ToString().ToLowerInvariant());
        w.WriteNumber("calibration_images", o.CalibrationImages);
        w.WriteString("calibration_sha256", o.Bundle.Manifest.Quantization?.CalibrationSha256);
        Number(w, "calibration_s", o.CalibrationSeconds);
        Number(w, "total_s", o.TotalSeconds);
        w.WriteStartObject("accuracy");
        if (o.Fp32Metrics is { } fp32 && o.Int8Metrics is { } int8)
        {
            Number(w, "fp32_map", fp32.MeanAp);
            Number(w, "int8_map", int8.MeanAp);
            Number(w, "map_drop", fp32.MeanAp - int8.MeanAp);
            w.WriteStartArray("per_label");
            foreach (var (f, q) in fp32.PerLabel.Zip(int8.PerLabel))
            {
                w.WriteStartObject();
                w.WriteString("label", f.Label);
                Number(w, "fp32_ap", f.Ap);
                Number(w, "int8_ap", q.Ap);
                Number(w, "ap_drop", f.Ap - q.Ap);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteStartObject("quantized_operators");
        foreach (var group in o.Plan.QuantizedNodes.GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(group.Key, group.Count());
        }

        w.WriteEndObject();
        w.WriteNumber("quantized_activations", o.Plan.Activations.Count);
        w.WriteNumber("quantized_weights", o.Plan.Weights.Count);
        w.WriteStartArray("float_nodes");
        foreach (var node in o.Plan.Excluded.Concat(o.Plan.FloatFallbacks))
        {
            w.WriteStringValue(node);
        }

        w.WriteEndArray();
        w.WriteStartObject("fusion");
        w.WriteNumber("fused_operators", o.Fusion.FusedCount);
        w.WriteNumber("remaining_quantize_linear", o.Fusion.RemainingQuantizeLinear);
        w.WriteNumber("remaining_dequantize_linear", o.Fusion.RemainingDequantizeLinear);
        w.WriteStartObject("optimized_operator_counts");
        foreach (var (op, count) in o.Fusion.OperatorCounts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(op, count);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("tensor_sqnr_db");
        foreach (var t in o.TensorSqnr)
        {
            w.WriteStartObject();
            w.WriteString("tensor", t.Tensor);
            w.WriteString("producer", t.Producer);
            Number(w, "sqnr_db", t.SqnrDb);
            if (o.Ranges.TryGetValue(t.Tensor, out var range))
            {
                Number(w, "min", range.Min);
                Number(w, "max", range.Max);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("output_sqnr_db");
        foreach (var t in o.OutputSqnr)
        {
            Number(w, t.Tensor, t.SqnrDb);
        }

        w.WriteEndObject();
        w.WriteStartArray("automatic_steps");
        foreach (var step in o.AutomaticSteps)
        {
            w.WriteStartObject();
            w.WriteString("node", step.Node);
            Number(w, "sqnr_db", step.SqnrDb);
            Number(w, "map_drop_before", step.MapDropBefore);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (o.Latency is { } latency)
        {
            w.WriteStartObject("latency_cpu");
            Number(w, "fp32_bare_p50_ms", latency.Fp32.Bare.P50);
            Number(w, "int8_bare_p50_ms", latency.Int8.Bare.P50);
            Number(w, "fp32_e2e_p50_ms", latency.Fp32.EndToEnd.P50);
            Number(w, "int8_e2e_p50_ms", latency.Int8.EndToEnd.P50);
            Number(w, "fp32_e2e_p99_ms", latency.Fp32.EndToEnd.P99);
            Number(w, "int8_e2e_p99_ms", latency.Int8.EndToEnd.P99);
            Number(w, "speedup_bare_p50", latency.BareSpeedupP50);
            Number(w, "speedup_e2e_p50", latency.EndToEndSpeedupP50);
            w.WriteNumber("frames_each", latency.Fp32.Frames);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("latency_cpu");
        }

        w.WriteEndObject();
    }

    public static string Markdown(QuantizationOutcome o)
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"# INT8 quantization: {o.Bundle.Name}");
        md.AppendLine();
        md.AppendLine(c, $"From `{o.Source.Name}` (sha256 `{o.Source.Sha256[..12]}…`), target **{o.Request.Target.Name()}**, calibration **{o.Request.Method.ToString().ToLowerInvariant()}** on {o.CalibrationImages} images ({o.CalibrationSeconds:F1} s; {o.TotalSeconds:F1} s in all).");
        md.AppendLine();
        if (o.Fp32Metrics is { } fp32 && o.Int8Metrics is { } int8)
        {
            md.AppendLine(c, $"## Accuracy ({fp32.Images} validation images)");
            md.AppendLine();
            md.AppendLine(c, $"mAP FP32 **{fp32.MeanAp:F2}**, INT8 **{int8.MeanAp:F2}**, drop **{fp32.MeanAp - int8.MeanAp:F2}** points.");
            md.AppendLine();
            md.AppendLine("| label | AP FP32 | AP INT8 | drop |");
            md.AppendLine("| --- | ---: | ---: | ---: |");
            foreach (var (f, q) in fp32.PerLabel.Zip(int8.PerLabel))
            {
                md.AppendLine(c, $"| {f.Label} | {f.Ap:F2} | {q.Ap:F2} | {f.Ap - q.Ap:F2} |");
            }

            md.AppendLine();
        }
        else
        {
            md.AppendLine("No validation set was given (`--validation`): accuracy not measured.");
            md.AppendLine();
        }

        if (o.Latency is { } latency)
        {
            md.AppendLine(c, $"## CPU latency, same run ({latency.Fp32.Frames} frames each, interleaved)");
            md.AppendLine();
            md.AppendLine("| | FP32 | INT8 | speed-up |");
            md.AppendLine("| --- | ---: | ---: | ---: |");
            md.AppendLine(c, $"| bare inference p50 (ms) | {latency.Fp32.Bare.P50:F2} | {latency.Int8.Bare.P50:F2} | {latency.BareSpeedupP50:F2}× |");
            md.AppendLine(c, $"| end-to-end p50 (ms) | {latency.Fp32.EndToEnd.P50:F2} | {latency.Int8.EndToEnd.P50:F2} | {latency.EndToEndSpeedupP50:F2}× |");
            md.AppendLine(c, $"| end-to-end p99 (ms) | {latency.Fp32.EndToEnd.P99:F2} | {latency.Int8.EndToEnd.P99:F2} | {latency.Fp32.EndToEnd.P99 / latency.Int8.EndToEnd.P99:F2}× |");
            md.AppendLine();
        }

        md.AppendLine("## What was quantized");
        md.AppendLine();
        md.AppendLine(c, $"{o.Plan.QuantizedNodes.Count} nodes ({string.Join(", ", o.Plan.QuantizedNodes.GroupBy(n => n.OpType).Select(g => $"{g.Count()} {g.Key}"))}), {o.Plan.Activations.Count} activation tensors, {o.Plan.Weights.Count} weights (int8 per channel).");
        var floatNodes = o.Plan.Excluded.Concat(o.Plan.FloatFallbacks).ToList();
        md.AppendLine(c, $"Kept in float: {(floatNodes.Count == 0 ? "nothing beyond what the target leaves in float" : string.Join(", ", floatNodes.Select(n => $"`{n}`")))}.");
        md.AppendLine();
        md.AppendLine(c, $"ONNX Runtime (CPU EP, extended optimizations) fused the node units into **{o.Fusion.FusedCount}** quantized operators ({string.Join(", ", o.Fusion.OperatorCounts.Where(p => Quantize.Fusion.FusionReport.IsFused(p.Key)).Select(p => $"{p.Value} {p.Key}"))}); {o.Fusion.RemainingQuantizeLinear} QuantizeLinear and {o.Fusion.RemainingDequantizeLinear} DequantizeLinear remain.");
        md.AppendLine();
        if (o.AutomaticSteps.Count > 0)
        {
            md.AppendLine("## Automatic mode");
            md.AppendLine();
            foreach (var step in o.AutomaticSteps)
            {
                md.AppendLine(c, $"- mAP drop {step.MapDropBefore:F2}: `{step.Node}` (SQNR {step.SqnrDb:F1} dB) returned to float");
            }

            md.AppendLine();
        }

        md.AppendLine(c, $"## SQNR per quantized tensor (dB, INT8 vs FP32, {o.Request.SqnrImages} calibration images)");
        md.AppendLine();
        md.AppendLine(c, $"Model outputs: {string.Join(", ", o.OutputSqnr.Select(t => $"`{t.Tensor}` {t.SqnrDb:F1} dB"))}.");
        md.AppendLine();
        md.AppendLine("| tensor | producer | SQNR | range |");
        md.AppendLine("| --- | --- | ---: | --- |");
        foreach (var t in o.TensorSqnr)
        {
            var range = o.Ranges.TryGetValue(t.Tensor, out var r) ? string.Create(c, $"[{r.Min:G4}, {r.Max:G4}]") : "";
            md.AppendLine(c, $"| `{t.Tensor}` | {t.Producer} | {t.SqnrDb:F1} | {range} |");
        }

        return md.ToString();
    }
}
