using System.Text.Json;
using Edge.Runtime.Budget;
using Edge.Runtime.Inference;
using static Edge.Runtime.Publishing.JsonNumbers;

namespace Edge.Tools.Benchmarking.Streams;

/// <summary>
/// Writes a <see cref="StreamBenchResult"/> as JSON (schema <c>edge.bench.streams/1</c>, docs/benchmarking.md): the
/// run's mode and environment, then under <c>runs</c> one object per stream count with its aggregate, its streams and
/// its batch sizes. A separate schema from <c>edge.bench/1</c> because the unit of a run is a stream count, not a model.
/// </summary>
public static class StreamBenchJson
{
    public const string Schema = "edge.bench.streams/1";

    public static void Write(Stream stream, StreamBenchResult result, DateTimeOffset createdAt)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var options = result.Options;
        writer.WriteStartObject();
        writer.WriteString("schema", Schema);
        writer.WriteString("created_at", createdAt);
        writer.WriteStartObject("mode");
        writer.WriteStartArray("streams");
        foreach (var count in options.StreamCounts)
        {
            writer.WriteNumberValue(count);
        }

        writer.WriteEndArray();
        writer.WriteString("source", Edge.Camera.Sources.SourceSpec.MaskCredentials(options.Bench.Source));
        writer.WriteString("frame_size", $"{result.FrameSize.Width}x{result.FrameSize.Height}");
        writer.WriteNumber("max_batch", options.MaxBatch);
        writer.WriteNumber("budget_ms", options.Bench.BudgetMs);
        writer.WriteString("miss_policy", options.Bench.MissPolicy.Name());
        writer.WriteNumber("warmup_frames", options.Bench.WarmUpFrames);
        if (options.Bench.DurationSeconds is { } seconds)
        {
            writer.WriteNumber("duration_s", seconds);
        }
        else
        {
            writer.WriteNumber("frames_per_stream", options.Bench.Frames);
        }

        writer.WriteNumber("threads", options.Bench.Threads);
        writer.WriteString("cpu_spin", options.Bench.CpuSpin.Name());
        writer.WriteEndObject();
        writer.WritePropertyName("env");
        result.Environment.WriteJson(writer);
        writer.WriteStartObject("model");
        writer.WriteString("name", result.ModelName);
        writer.WriteString("path", result.ModelPath);
        writer.WriteString("sha256", result.Sha256);
        writer.WriteString("precision", result.Precision);
        writer.WriteNumber("max_batch", result.BundleMaxBatch);
        writer.WriteEndObject();
        writer.WriteString("ep", result.Ep);
        writer.WriteNumber("peak_rss_mb", Math.Round(result.PeakRssMb, 1));
        writer.WriteNumber("wall_s", Math.Round(result.WallSeconds, 3));
        writer.WriteStartArray("runs");
        var first = result.Counts.Count > 0 ? result.Counts[0] : null;
        foreach (var run in result.Counts)
        {
            WriteRun(writer, run, first!);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteRun(Utf8JsonWriter writer, StreamCountResult run, StreamCountResult first)
    {
        writer.WriteStartObject();
        writer.WriteNumber("streams", run.StreamCount);
        writer.WriteNumber("max_batch", run.MaxBatch);
        Number(writer, "aggregate_fps", run.AggregateFps);
        Number(writer, "aggregate_fps_ratio", run.AggregateFps / first.AggregateFps);
        Summary(writer, "e2e_ms", run.EndToEnd);
        writer.WriteNumber("published", run.Published);
        writer.WriteNumber("misses", run.Misses);
        Number(writer, "fairness", run.Fairness);
        Number(writer, "bare_fps", run.BareFps);
        Number(writer, "throughput_ratio", run.ThroughputRatio);
        Number(writer, "measured_s", run.MeasuredSeconds);
        Number(writer, "alloc_bytes_per_frame", run.AllocBytesPerFrame);
        Number(writer, "player_alloc_bytes_per_frame", run.PlayerAllocBytesPerFrame);
        writer.WriteNumber("gen0", run.Gen0);
        writer.WriteNumber("gen1", run.Gen1);
        writer.WriteNumber("gen2", run.Gen2);
        Number(writer, "cpu_percent", run.CpuPercent);
        Number(writer, "working_set_mb", run.WorkingSetMb);
        writer.WriteStartArray("per_stream");
        foreach (var s in run.Streams)
        {
            writer.WriteStartObject();
            writer.WriteString("id", s.Id);
            writer.WriteString("source", s.Source);
            if (s.Rate == 0)
            {
                writer.WriteString("rate", "max");
            }
            else
            {
                writer.WriteNumber("rate", s.Rate);
            }

            writer.WriteNumber("frames", s.Frames);
            writer.WriteNumber("published", s.Published);
            Number(writer, "fps", s.Fps);
            Summary(writer, "e2e_ms", s.EndToEnd);
            Number(writer, "budget_ms", s.BudgetMs);
            writer.WriteNumber("misses", s.Misses);
            writer.WriteNumber("missed", s.Missed);
            writer.WriteNumber("dropped_stale", s.DroppedStale);
            writer.WriteNumber("predicted_misses", s.PredictedMisses);
            writer.WriteNumber("overwritten", s.Overwritten);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("batch_sizes");
        foreach (var b in run.BatchSizes)
        {
            writer.WriteStartObject();
            writer.WriteNumber("size", b.Size);
            writer.WriteNumber("batches", b.Batches);
            Number(writer, "predicted_ms", b.PredictedMs);
            Number(writer, "actual_ms", b.ActualMs);
            Summary(writer, "bare_ms", b.Bare);
            Number(writer, "bare_fps", b.BareFps);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Summary(Utf8JsonWriter writer, string name, LatencySummary summary)
    {
        writer.WriteStartObject(name);
        Number(writer, "p50", summary.P50);
        Number(writer, "p99", summary.P99);
        Number(writer, "max", summary.Max);
        Number(writer, "mean", summary.Mean);
        writer.WriteNumber("count", summary.Count);
        writer.WriteEndObject();
    }
}
