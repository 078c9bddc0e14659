using System.Text.Json;
using Edge.Runtime.Budget;
using Edge.Runtime.Inference;
using static Edge.Runtime.Publishing.JsonNumbers;

namespace Edge.Tools.Benchmarking;

/// <summary>
/// Writes a <see cref="BenchResult"/> as JSON (schema <c>edge.bench/1</c>, docs/benchmarking.md). The top level
/// holds the first variant's keys (the baseline), so a single-configuration report needs no indexing; every variant,
/// the baseline included, is under <c>variants</c>, and <c>comparison</c> has each one's ratios to the baseline.
/// </summary>
public static class BenchJson
{
    public const string Schema = "edge.bench/1";

    public static void Write(Stream stream, BenchResult result, DateTimeOffset createdAt)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("schema", Schema);
        writer.WriteString("created_at", createdAt);
        WriteMode(writer, result);
        writer.WritePropertyName("env");
        result.Environment.WriteJson(writer);
        writer.WriteNumber("peak_rss_mb", Math.Round(result.PeakRssMb, 1));
        writer.WriteNumber("wall_s", Math.Round(result.WallSeconds, 3));
        WriteVariantProperties(writer, result.Variants[0]);
        writer.WriteStartArray("variants");
        foreach (var variant in result.Variants)
        {
            writer.WriteStartObject();
            WriteVariantProperties(writer, variant);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("comparison");
        var baseline = result.Variants[0];
        foreach (var variant in result.Variants.Skip(1))
        {
            writer.WriteStartObject();
            writer.WriteString("variant", variant.Name);
            writer.WriteString("baseline", baseline.Name);
            Number(writer, "e2e_p50_ratio", variant.EndToEnd.P50 / baseline.EndToEnd.P50);
            Number(writer, "e2e_p99_ratio", variant.EndToEnd.P99 / baseline.EndToEnd.P99);
            Number(writer, "bare_p50_ratio", variant.Bare.P50 / baseline.Bare.P50);
            Number(writer, "bare_p99_ratio", variant.Bare.P99 / baseline.Bare.P99);
            Number(writer, "fps_ratio", variant.Fps / baseline.Fps);
            Number(writer, "speedup_p50", baseline.EndToEnd.P50 / variant.EndToEnd.P50);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        PowerSampler.WriteJson(writer, result.Power);
        var published = result.Variants.Sum(v => v.Published);
        Number(writer, "energy_per_frame_j", result.Power is { } power && published > 0 ? power.TotalEnergyJoules / published : double.NaN);
        writer.WriteEndObject();
    }

    private static void WriteMode(Utf8JsonWriter writer, BenchResult result)
    {
        var options = result.Options;
        writer.WriteStartObject("mode");
        if (options.Rate == 0)
        {
            writer.WriteString("rate", "max");
        }
        else
        {
            writer.WriteNumber("rate", options.Rate);
        }

        writer.WriteString("source", Edge.Camera.Sources.SourceSpec.MaskCredentials(options.Source));
        writer.WriteString("frame_size", $"{result.FrameSize.Width}x{result.FrameSize.Height}");
        if (options.DurationSeconds is { } seconds)
        {
            writer.WriteNumber("duration_s", seconds);
        }
        else
        {
            writer.WriteNumber("frames_per_variant", options.Frames);
        }

        writer.WriteNumber("warmup_frames", options.WarmUpFrames);
        writer.WriteNumber("block_frames", options.BlockFrames);
        writer.WriteNumber("budget_ms", options.BudgetMs);
        writer.WriteString("miss_policy", options.MissPolicy.Name());
        writer.WriteNumber("threads", options.Threads);
        writer.WriteString("cpu_spin", options.CpuSpin.Name());
        if (options.Delay is { } delay)
        {
            writer.WriteString("injected_delay", $"{delay.Stage.ToString().ToLowerInvariant()}={delay.Duration.TotalMilliseconds}");
        }

        writer.WriteEndObject();
    }

    private static void WriteVariantProperties(Utf8JsonWriter writer, VariantResult v)
    {
        writer.WriteString("name", v.Name);
        writer.WriteStartObject("model");
        writer.WriteString("name", v.ModelName);
        writer.WriteString("path", v.ModelPath);
        writer.WriteString("sha256", v.Sha256);
        writer.WriteString("precision", v.Precision);
        writer.WriteEndObject();
        writer.WriteString("ep", v.Ep);
        writer.WriteString("precision", v.Precision);
        Summary(writer, "e2e_ms", v.EndToEnd);
        Summary(writer, "bare_ms", v.Bare);
        writer.WriteStartObject("stages");
        foreach (var (stage, summary) in v.Stages)
        {
            Summary(writer, stage.ToString().ToLowerInvariant(), summary);
        }

        writer.WriteEndObject();
        writer.WriteStartObject("jitter_ms");
        Number(writer, "e2e_stddev", v.EndToEnd.StdDev);
        Number(writer, "interval_stddev", v.IntervalStdDevMs);
        writer.WriteEndObject();
        Number(writer, "overhead_ratio_p50", v.OverheadRatioP50);
        Number(writer, "overhead_ratio_p99", v.OverheadRatioP99);
        WriteOverhead(writer, v.Overhead);
        Number(writer, "alloc_bytes_per_frame", v.AllocBytesPerFrame);
        writer.WriteNumber("gen0", v.Gen0);
        writer.WriteNumber("gen1", v.Gen1);
        writer.WriteNumber("gen2", v.Gen2);
        Number(writer, "gc_pause_ms", v.GcPauseMs);
        writer.WriteNumber("frames", v.Frames);
        writer.WriteNumber("published", v.Published);
        writer.WriteNumber("dropped", v.Dropped);
        writer.WriteNumber("skipped", v.Skipped);
        writer.WriteNumber("late", v.Late);
        writer.WriteNumber("withheld", v.Withheld);
        writer.WriteNumber("cancelled", v.Cancelled);
        writer.WriteNumber("missed", v.Missed);
        writer.WriteNumber("degradations", v.Degradations);
        if (v.CancelDelay.Count > 0)
        {
            Summary(writer, "cancel_delay_ms", v.CancelDelay);
        }

        Number(writer, "fps", v.Fps);
        Number(writer, "cpu_percent", v.CpuPercent);
        Number(writer, "measured_s", v.MeasuredSeconds);
        Number(writer, "session_create_ms", v.SessionCreateMs);
        Number(writer, "first_inference_ms", v.FirstInferenceMs);
    }

    private static void WriteOverhead(Utf8JsonWriter writer, OverheadEstimate overhead)
    {
        writer.WriteStartObject("overhead");
        writer.WriteNumber("frames", overhead.Frames);
        writer.WriteNumber("censored", overhead.Censored);
        Number(writer, "e2e_p50", overhead.EndToEndP50);
        Number(writer, "e2e_p99", overhead.EndToEndP99);
        writer.WriteBoolean("p50_exact", overhead.P50Exact);
        writer.WriteBoolean("p99_exact", overhead.P99Exact);
        if (overhead.Warning is { } warning)
        {
            writer.WriteString("warning", warning);
        }
        else
        {
            writer.WriteNull("warning");
        }

        writer.WriteEndObject();
    }

    private static void Summary(Utf8JsonWriter writer, string name, LatencySummary summary)
    {
        writer.WriteStartObject(name);
        Number(writer, "p50", summary.P50);
        Number(writer, "p90", summary.P90);
        Number(writer, "p99", summary.P99);
        Number(writer, "p999", summary.P999);
        Number(writer, "max", summary.Max);
        Number(writer, "mean", summary.Mean);
        writer.WriteNumber("count", summary.Count);
        writer.WriteEndObject();
    }
}
