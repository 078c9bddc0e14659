using Edge.Runtime.Budget;
using Edge.Runtime.HardFrames;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Outputs.Metrics;

/// <summary>
/// The runtime's Prometheus metrics. The pipeline reports every frame on its own thread, where recording takes a few
/// interlocked increments and allocates nothing; a scrape reads the counters from any thread. Capture counters and
/// the model's identity come from the run loop through <see cref="CapturedFrames"/>, <see cref="OverwrittenFrames"/>
/// and <see cref="Model"/>. Metric meanings: docs/metrics.md.
/// </summary>
public sealed class RuntimeMetrics : IFrameOutput
{
    private const long NoFrameYet = long.MinValue;

    private static readonly PipelineStage[] TimedStages = [PipelineStage.Queue, PipelineStage.Preprocess, PipelineStage.Inference, PipelineStage.Decode, PipelineStage.Publish];

    private readonly LatencyHistogram[] stageLatency = [new(), new(), new(), new(), new()];
    private readonly LatencyHistogram endToEndLatency = new();
    private long processed;
    private long published;
    private long late;
    private long droppedStale;
    private long skipped;
    private long withheld;
    private long cancelled;
    private int level;
    private long lastFrameTimestamp = NoFrameYet;
    private long lastFrameUnixMilliseconds;
    private volatile Func<long>? capturedFrames;
    private volatile Func<long>? overwrittenFrames;
    private volatile ModelInfo? model;
    private volatile HardFrameCapture? hardFrames;
    private volatile IReadOnlyList<LineOutput>? lineOutputs;

    /// <param name="time">Stamps frames for <c>edge_last_frame_timestamp_seconds</c> and the health check.</param>
    public RuntimeMetrics(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
    }

    public TimeProvider Time { get; }

    /// <summary>Read at scrape time for <c>edge_frames_captured_total</c> (omitted while null).</summary>
    public Func<long>? CapturedFrames
    {
        get => capturedFrames;
        set => capturedFrames = value;
    }

    /// <summary>Read at scrape time for <c>edge_frames_overwritten_total</c> (omitted while null).</summary>
    public Func<long>? OverwrittenFrames
    {
        get => overwrittenFrames;
        set => overwrittenFrames = value;
    }

    /// <summary>Exposed as <c>edge_model_info</c> (omitted while null); may change when the run loop swaps models.</summary>
    public ModelInfo? Model
    {
        get => model;
        set => model = value;
    }

    /// <summary>Read at scrape time for <c>edge_hard_frames_total</c> (omitted while null).</summary>
    public HardFrameCapture? HardFrames
    {
        get => hardFrames;
        set => hardFrames = value;
    }

    /// <summary>The JSON-lines files (<c>--output</c>, <c>--events</c>), read at scrape time for <c>edge_output_lines_*</c>.</summary>
    public IReadOnlyList<LineOutput>? LineOutputs
    {
        get => lineOutputs;
        set => lineOutputs = value;
    }

    /// <summary>How long ago the pipeline last reported a frame, or null before the first.</summary>
    public TimeSpan? SinceLastFrame
    {
        get
        {
            var last = Interlocked.Read(ref lastFrameTimestamp);
            return last == NoFrameYet ? null : Time.GetElapsedTime(last);
        }
    }

    public void OnFrame(in FrameReport report)
    {
        Interlocked.Increment(ref processed);
        switch (report.Outcome)
        {
            case FrameOutcome.Published:
                Interlocked.Increment(ref published);
                break;
            case FrameOutcome.PublishedLate:
                Interlocked.Increment(ref published);
                Interlocked.Increment(ref late);
                break;
            case FrameOutcome.DroppedStale:
                Interlocked.Increment(ref droppedStale);
                break;
            case FrameOutcome.Skipped:
                Interlocked.Increment(ref skipped);
                break;
            case FrameOutcome.Withheld:
                Interlocked.Increment(ref withheld);
                break;
            case FrameOutcome.Cancelled:
                Interlocked.Increment(ref cancelled);
                break;
        }

        // Only decoded frames carry a latency for every stage; the others report zeros that would drag the
        // histograms down (the pipeline's own stage statistics skip them the same way).
        if (report.Outcome is FrameOutcome.Published or FrameOutcome.PublishedLate or FrameOutcome.Withheld)
        {
            stageLatency[0].Observe(report.Latency.Queue / 1000);
            stageLatency[1].Observe(report.Latency.Preprocess / 1000);
            stageLatency[2].Observe(report.Latency.Inference / 1000);
            stageLatency[3].Observe(report.Latency.Decode / 1000);
        }

        // Decode to the label set ready for the outputs: what end-to-end adds to the decoded frame's total.
        if (report.Outcome is FrameOutcome.Published or FrameOutcome.PublishedLate)
        {
            stageLatency[4].Observe(Math.Max(0, report.EndToEndMs - report.Latency.Total) / 1000);
        }

        endToEndLatency.Observe(report.EndToEndMs / 1000);
        Volatile.Write(ref level, report.Level);
        Interlocked.Exchange(ref lastFrameUnixMilliseconds, Time.GetUtcNow().ToUnixTimeMilliseconds());
        Interlocked.Exchange(ref lastFrameTimestamp, Time.GetTimestamp());
    }

    /// <summary>Writes every metric in the Prometheus text exposition format 0.0.4 (line feeds, UTF-8 when encoded).</summary>
    /// <remarks>Calls the <see cref="CapturedFrames"/> and <see cref="OverwrittenFrames"/> providers; their exceptions propagate.</remarks>
    public void WriteTo(TextWriter output)
    {
        var writer = new PrometheusTextWriter(output);
        WriteLatency(writer);
        WriteFrameCounters(writer);
        WriteRunLoopMetrics(writer);
        WriteOutputMetrics(writer);
        WriteState(writer);
    }

    private void WriteLatency(PrometheusTextWriter writer)
    {
        writer.Family("edge_stage_latency_seconds", "histogram", "Time a decoded frame spent in each stage of the frame path (publish: published frames only).");
        for (var i = 0; i < TimedStages.Length; i++)
        {
            stageLatency[i].WriteSamples(writer, "edge_stage_latency_seconds", ("stage", StageLabel(TimedStages[i])));
        }

        writer.Family("edge_end_to_end_latency_seconds", "histogram", "Capture to the label set handed to the sink, for published frames.");
        endToEndLatency.WriteSamples(writer, "edge_end_to_end_latency_seconds");
    }

    private void WriteFrameCounters(PrometheusTextWriter writer)
    {
        var lateCount = Interlocked.Read(ref late);
        var withheldCount = Interlocked.Read(ref withheld);
        var cancelledCount = Interlocked.Read(ref cancelled);
        Counter(writer, "edge_frames_processed_total", "Frames the pipeline took from the capture hand-off, whatever became of them.", Interlocked.Read(ref processed));
        Counter(writer, "edge_frames_published_total", "Label sets handed to the sink, late ones included.", Interlocked.Read(ref published));
        writer.Family("edge_frames_dropped_total", "counter", "Frames dropped before any work: stale (past their deadline or queue budget) or skipped by a degrade step.");
        writer.Sample("edge_frames_dropped_total", Interlocked.Read(ref droppedStale), ("reason", "stale"));
        writer.Sample("edge_frames_dropped_total", Interlocked.Read(ref skipped), ("reason", "skipped"));
        Counter(writer, "edge_frames_late_total", "Label sets published after their deadline (deadline_met false).", lateCount);
        Counter(writer, "edge_frames_withheld_total", "Label sets not published because they missed their deadline (miss policy drop).", withheldCount);
        Counter(writer, "edge_frames_cancelled_total", "Inferences terminated at their deadline.", cancelledCount);
        Counter(writer, "edge_deadline_missed_total", "Frames that missed their deadline while being processed: late, withheld and cancelled.", lateCount + withheldCount + cancelledCount);
    }

    private void WriteRunLoopMetrics(PrometheusTextWriter writer)
    {
        if (CapturedFrames is { } captured)
        {
            Counter(writer, "edge_frames_captured_total", "Frames read from the source by the capture loop.", captured());
        }

        if (OverwrittenFrames is { } overwritten)
        {
            Counter(writer, "edge_frames_overwritten_total", "Captured frames replaced in the hand-off before the pipeline took them.", overwritten());
        }

        if (Model is { } info)
        {
            writer.Family("edge_model_info", "gauge", "The model being served; the value is always 1.");
            writer.Sample("edge_model_info", 1, ("model", info.Model), ("sha256", info.Sha256), ("precision", info.Precision), ("ep", info.ExecutionProvider));
        }
    }

    private void WriteOutputMetrics(PrometheusTextWriter writer)
    {
        if (HardFrames is { } capture)
        {
            writer.Family("edge_hard_frames_total", "counter", "Hard frames (the model was unsure), by what became of them.");
            writer.Sample("edge_hard_frames_total", capture.Saved, ("outcome", "saved"));
            writer.Sample("edge_hard_frames_total", capture.RateLimited, ("outcome", "rate_limited"));
            writer.Sample("edge_hard_frames_total", capture.Duplicates, ("outcome", "duplicate"));
            writer.Sample("edge_hard_frames_total", capture.QueueFull, ("outcome", "queue_full"));
            writer.Sample("edge_hard_frames_total", capture.DiskFull, ("outcome", "over_bound"));
            writer.Sample("edge_hard_frames_total", capture.NoSpace, ("outcome", "no_space"));
            writer.Sample("edge_hard_frames_total", capture.Failed, ("outcome", "failed"));
        }

        if (LineOutputs is { Count: > 0 } outputs)
        {
            writer.Family("edge_output_lines_written_total", "counter", "JSON lines written to stdout or a file, by the flag that named it.");
            foreach (var output in outputs)
            {
                writer.Sample("edge_output_lines_written_total", output.Sink.Written, ("output", output.Flag));
            }

            writer.Family("edge_output_lines_not_written_total", "counter", "JSON lines not written because the device had no space left (the run goes on), by the flag that named the file.");
            foreach (var output in outputs)
            {
                writer.Sample("edge_output_lines_not_written_total", output.Sink.NotWritten, ("output", output.Flag));
            }
        }
    }

    private void WriteState(PrometheusTextWriter writer)
    {
        writer.Family("edge_degrade_level", "gauge", "Degrade ladder step in force: 0 is the configured model at full rate.");
        writer.Sample("edge_degrade_level", Volatile.Read(ref level));
        if (Interlocked.Read(ref lastFrameTimestamp) != NoFrameYet)
        {
            writer.Family("edge_last_frame_timestamp_seconds", "gauge", "Unix time at which the pipeline last finished with a frame.");
            writer.Sample("edge_last_frame_timestamp_seconds", Interlocked.Read(ref lastFrameUnixMilliseconds) / 1000.0);
        }
    }

    private static void Counter(PrometheusTextWriter writer, string name, string help, long value)
    {
        writer.Family(name, "counter", help);
        writer.Sample(name, value);
    }

    private static string StageLabel(PipelineStage stage) => stage switch
    {
        PipelineStage.Queue => "queue",
        PipelineStage.Preprocess => "preprocess",
        PipelineStage.Inference => "inference",
        PipelineStage.Decode => "decode",
        _ => "publish",
    };
}
