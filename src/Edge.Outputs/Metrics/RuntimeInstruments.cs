using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Edge.Runtime.Pipeline;

namespace Edge.Outputs.Metrics;

/// <summary>
/// The runtime's metrics as .NET instruments on the <see cref="MeterName"/> meter, so that any System.Diagnostics.Metrics
/// listener reads them (<c>dotnet-counters monitor -n edge --counters Edge.Runtime</c>, the OpenTelemetry
/// <c>MeterProvider</c>s behind <c>/metrics</c> and the OTLP push). Instrument names and units are chosen so that
/// OpenTelemetry's Prometheus exporter, which appends the unit (<c>_seconds</c>) and <c>_total</c> to counters,
/// exports the names docs/metrics.md lists.
/// </summary>
/// <remarks>
/// The tags of every (stream, head) series, and of each stage and drop reason within it, are built once with the series
/// (<see cref="SeriesState"/>); the frame path passes them by reference (<see cref="TagList"/> holds up to eight tags inline, and string values are references),
/// so recording allocates nothing. Observable instruments read <see cref="RuntimeMetrics"/> when a listener collects.
/// </remarks>
internal sealed class RuntimeInstruments : IDisposable
{
    public const string MeterName = "Edge.Runtime";

    private readonly Meter meter;
    private readonly Counter<long> processed;
    private readonly Counter<long> published;
    private readonly Counter<long> dropped;
    private readonly Counter<long> late;
    private readonly Counter<long> withheld;
    private readonly Counter<long> cancelled;
    private readonly Counter<long> deadlineMissed;
    private readonly Histogram<double> stageLatency;
    private readonly Histogram<double> endToEndLatency;

    public RuntimeInstruments(RuntimeMetrics metrics)
    {
        meter = new Meter(new MeterOptions(MeterName) { Version = Version, Scope = metrics });
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets.Seconds };
        stageLatency = meter.CreateHistogram("edge_stage_latency", "s", "Time a decoded frame spent in each stage of the frame path (publish: published frames only).", tags: null, advice: buckets);
        endToEndLatency = meter.CreateHistogram("edge_end_to_end_latency", "s", "Capture to the label set handed to the sink, for published frames.", tags: null, advice: buckets);
        processed = meter.CreateCounter<long>("edge_frames_processed", null, "Frames the pipeline took from the capture hand-off, whatever became of them.");
        published = meter.CreateCounter<long>("edge_frames_published", null, "Label sets handed to the sink, late ones included.");
        dropped = meter.CreateCounter<long>("edge_frames_dropped", null, "Frames dropped before any work: stale (past their deadline or queue budget), skipped by a degrade step, or taken while the stream was paused.");
        late = meter.CreateCounter<long>("edge_frames_late", null, "Label sets published after their deadline (deadline_met false).");
        withheld = meter.CreateCounter<long>("edge_frames_withheld", null, "Label sets not published because they missed their deadline (miss policy drop).");
        cancelled = meter.CreateCounter<long>("edge_frames_cancelled", null, "Inferences terminated at their deadline.");
        deadlineMissed = meter.CreateCounter<long>("edge_deadline_missed", null, "Frames that missed their deadline while being processed: late, withheld and cancelled.");

        // Observed when a listener collects; a callback that throws is recorded (RuntimeMetrics.CollectFailures) and observes nothing.
        meter.CreateObservableCounter("edge_unknown_stream_reports", () => metrics.Observe(metrics.UnknownReportMeasurements), null, "Frame reports of a stream or head that was not configured (they get no series of their own).");
        meter.CreateObservableGauge("edge_degrade_level", () => metrics.Observe(metrics.LevelMeasurements), null, "Degrade ladder step in force: 0 is the configured model at full rate.");
        meter.CreateObservableGauge("edge_last_frame_timestamp", () => metrics.Observe(metrics.LastFrameMeasurements), "s", "Unix time at which the pipeline last finished with a frame of the stream (and head).");
        meter.CreateObservableGauge("edge_camera_connected", () => metrics.Observe(metrics.CameraMeasurements), null, "1 while the stream's camera delivers, 0 from camera_lost to camera_recovered.");
        meter.CreateObservableCounter("edge_frames_captured", () => metrics.Observe(() => metrics.PerStreamMeasurements(metrics.CapturedFrames)), null, "Frames read from the source by the capture loop.");
        meter.CreateObservableCounter("edge_frames_overwritten", () => metrics.Observe(() => metrics.PerStreamMeasurements(metrics.OverwrittenFrames)), null, "Captured frames replaced in the hand-off before the pipeline took them.");
        meter.CreateObservableCounter("edge_hard_frames", () => metrics.Observe(metrics.HardFrameMeasurements), null, "Hard frames (the model was unsure), by what became of them.");
        meter.CreateObservableCounter("edge_output_lines_written", () => metrics.Observe(() => metrics.LineMeasurements(written: true)), null, "JSON lines written to stdout or a file, by the flag that named it.");
        meter.CreateObservableCounter("edge_output_lines_not_written", () => metrics.Observe(() => metrics.LineMeasurements(written: false)), null, "JSON lines not written because the device had no space left (the run goes on), by the flag that named the file.");
        meter.CreateObservableGauge("edge_model_info", () => metrics.Observe(metrics.ModelMeasurements), null, "The model being served; the value is always 1.");

        // DeepStream 9's names for the same per-stream view, so that its dashboards read Edge too (docs/metrics.md).
        meter.CreateObservableGauge("stream_fps", () => metrics.Observe(metrics.FpsMeasurements), null, "Label sets published per second, over the latest window of at least a second.");
        meter.CreateObservableGauge("stream_latency", () => metrics.Observe(metrics.LatencyMeasurements), "ms", "Capture to the label set handed to the sink, of the latest published frame.");
        meter.CreateObservableGauge("stream_frame_number", () => metrics.Observe(metrics.FrameNumberMeasurements), null, "Sequence number of the latest frame the pipeline finished with.");
        meter.CreateObservableGauge("stream_count", () => metrics.Observe(metrics.StreamCountMeasurements), null, "Configured streams being processed: camera delivering and at least one frame processed.");
    }

    /// <summary>The assembly's version: a listener (and an exporter's scope) tells releases apart by it.</summary>
    public static string Version { get; } = typeof(RuntimeInstruments).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public Meter Meter => meter;

    /// <summary>Records one report of <paramref name="series"/>: its outcome, and the latencies of the stages it ran.</summary>
    public void Record(SeriesState series, in FrameReport report)
    {
        ref readonly var tags = ref series.Tags;
        processed.Add(1, in tags);
        switch (report.Outcome)
        {
            case FrameOutcome.Published:
                published.Add(1, in tags);
                break;
            case FrameOutcome.PublishedLate:
                published.Add(1, in tags);
                late.Add(1, in tags);
                deadlineMissed.Add(1, in tags);
                break;
            case FrameOutcome.DroppedStale:
                dropped.Add(1, in series.StaleTags);
                break;
            case FrameOutcome.Skipped:
                dropped.Add(1, in series.SkippedTags);
                break;
            case FrameOutcome.Paused:
                dropped.Add(1, in series.PausedTags);
                break;
            case FrameOutcome.Withheld:
                withheld.Add(1, in tags);
                deadlineMissed.Add(1, in tags);
                break;
            case FrameOutcome.Cancelled:
                cancelled.Add(1, in tags);
                deadlineMissed.Add(1, in tags);
                break;
        }

        var stages = series.StageTags;
        if (report.Outcome is FrameOutcome.Published or FrameOutcome.PublishedLate or FrameOutcome.Withheld)
        {
            stageLatency.Record(report.Latency.Queue / 1000, in stages[0]);
            stageLatency.Record(report.Latency.Preprocess / 1000, in stages[1]);
            stageLatency.Record(report.Latency.Inference / 1000, in stages[2]);
            stageLatency.Record(report.Latency.Decode / 1000, in stages[3]);
        }

        if (report.Outcome is FrameOutcome.Published or FrameOutcome.PublishedLate)
        {
            stageLatency.Record(Math.Max(0, report.EndToEndMs - report.Latency.Total) / 1000, in stages[4]);
        }

        // Frames that reached no sink carry NaN; a histogram would count it.
        if (!double.IsNaN(report.EndToEndMs))
        {
            endToEndLatency.Record(report.EndToEndMs / 1000, in tags);
        }
    }

    /// <summary>
    /// Adds 0 to every frame counter's series, so that a listener that just attached (an exporter) knows each series
    /// from the start instead of from its first frame.
    /// </summary>
    public void AnnounceSeries(IEnumerable<SeriesState> series)
    {
        foreach (var one in series)
        {
            ref readonly var tags = ref one.Tags;
            processed.Add(0, in tags);
            published.Add(0, in tags);
            late.Add(0, in tags);
            withheld.Add(0, in tags);
            cancelled.Add(0, in tags);
            deadlineMissed.Add(0, in tags);
            dropped.Add(0, in one.StaleTags);
            dropped.Add(0, in one.SkippedTags);
            dropped.Add(0, in one.PausedTags);
        }
    }

    public void Dispose() => meter.Dispose();

}
