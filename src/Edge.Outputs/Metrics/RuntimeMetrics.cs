using System.Diagnostics.Metrics;
using Edge.Outputs.Streams;
using Edge.Runtime.Budget;
using Edge.Runtime.Events;
using Edge.Runtime.HardFrames;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Outputs.Metrics;

/// <summary>
/// The runtime's Prometheus metrics. The pipeline reports every frame on its own thread, where recording takes a few
/// interlocked increments and allocates nothing; a scrape reads the counters from any thread. Frame series carry a
/// <c>stream</c> label (and a <c>model</c> label when the heads are named), made for the configured streams and heads,
/// and for streams that join the run (<see cref="OnStreamAdded"/>) only, so a report of anything else cannot add
/// series: it is counted in <c>edge_unknown_stream_reports_total</c>. A stream that leaves the run
/// (<see cref="OnStreamRemoved"/>) is left out of the exposition; should it join again, its counters go on.
/// Capture counters and the model's identity come from the run loop through <see cref="CapturedFrames"/>,
/// <see cref="OverwrittenFrames"/> and <see cref="Model"/>. The same metrics are instruments of the <see cref="Meter"/>
/// (<c>Edge.Runtime</c>) for any System.Diagnostics.Metrics listener. Metric meanings: docs/metrics.md.
/// </summary>
public sealed class RuntimeMetrics : IFrameOutput, IDisposable
{
    /// <summary>The name of every <see cref="Meter"/> (<c>dotnet-counters monitor --counters Edge.Runtime</c>).</summary>
    public const string MeterName = RuntimeInstruments.MeterName;

    private static readonly PipelineStage[] TimedStages = [PipelineStage.Queue, PipelineStage.Preprocess, PipelineStage.Inference, PipelineStage.Decode, PipelineStage.Publish];

    private readonly string[]? heads;

    // Stream-major: the series of stream s (its index in Streams) and head h is at s * headCount + h. Grown (copied)
    // when a stream joins; a frame report reads it once.
    private volatile HeadSeries[] series;
    private readonly Lock gate = new();
    private readonly int headCount;
    private readonly RuntimeInstruments instruments;
    private long unknownReports;
    private volatile Func<int, long>? capturedFrames;
    private volatile Func<int, long>? overwrittenFrames;
    private volatile ModelInfo? model;
    private volatile HardFrameCapture? hardFrames;
    private volatile IReadOnlyList<LineOutput>? lineOutputs;

    /// <param name="time">Stamps frames for <c>edge_last_frame_timestamp_seconds</c> and the health check.</param>
    /// <param name="streams">The configured streams (<see cref="PipelineOptions.EffectiveStreams"/>); the one default stream when null.</param>
    /// <param name="heads">
    /// The inference heads' names (the configured model's first): each gets its series per stream, labelled <c>model</c>.
    /// When null, a stream's reports share one series without a <c>model</c> label, whatever head made them.
    /// </param>
    public RuntimeMetrics(TimeProvider? time = null, IReadOnlyList<StreamOptions>? streams = null, IReadOnlyList<string>? heads = null)
    {
        Time = time ?? TimeProvider.System;
        Streams = new StreamLiveness(streams ?? [new StreamOptions { Id = StreamId.Default, Source = "" }], Time);
        this.heads = heads is null ? null : [.. heads];
        headCount = heads?.Count ?? 1;
        ArgumentOutOfRangeException.ThrowIfZero(headCount, nameof(heads));
        series = [.. Enumerable.Range(0, Streams.Count).SelectMany(SeriesOf)];
        instruments = new RuntimeInstruments(this);
    }

    /// <summary>
    /// These metrics as instruments (counters, histograms with the buckets of <see cref="LatencyHistogram.DefaultBoundsSeconds"/>,
    /// observable gauges), named <see cref="MeterName"/>, scoped to this instance.
    /// </summary>
    public Meter Meter => instruments.Meter;

    public TimeProvider Time { get; }

    /// <summary>Which configured stream last processed a frame when, and whose camera is lost (for <c>/healthz</c>).</summary>
    public StreamLiveness Streams { get; }

    /// <summary>Reports of a stream or head that was not configured: counted, never given series of their own.</summary>
    public long UnknownReports => Interlocked.Read(ref unknownReports);

    /// <summary>
    /// Read at scrape time for <c>edge_frames_captured_total{stream}</c>, given each configured stream's index in
    /// <see cref="StreamLiveness.Ids"/> (omitted while null).
    /// </summary>
    public Func<int, long>? CapturedFrames
    {
        get => capturedFrames;
        set => capturedFrames = value;
    }

    /// <summary>Read at scrape time for <c>edge_frames_overwritten_total{stream}</c>, per stream index as <see cref="CapturedFrames"/>.</summary>
    public Func<int, long>? OverwrittenFrames
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

    /// <summary>How long ago the pipeline last reported a frame of any configured stream, or null before the first.</summary>
    public TimeSpan? SinceLastFrame => Streams.SinceAnyFrame();

    public void OnFrame(in FrameReport report)
    {
        var stream = Streams.IndexOf(report.Stream);
        var head = HeadOf(report.Model);
        if (stream < 0 || head < 0)
        {
            Interlocked.Increment(ref unknownReports);
            return;
        }

        var one = series[(stream * headCount) + head];
        one.Record(report, Time.GetUtcNow().ToUnixTimeMilliseconds());
        instruments.Record(one, report);
        Streams.RecordFrame(report.Stream);
    }

    /// <summary>
    /// Follows each stream's camera (<c>camera_lost</c>, <c>camera_recovered</c>), possibly from several capture threads,
    /// and the configured model's head swapping models (<c>model_swapped</c>: <c>edge_model_info</c> names the new model).
    /// </summary>
    public void OnEvent(in PipelineEvent pipelineEvent)
    {
        if (pipelineEvent is { Kind: PipelineEventKind.ModelSwapped, Model: { } swapped } && Model is { } info && (heads is null || pipelineEvent.Head == heads[0]))
        {
            Model = info with { Model = swapped, Sha256 = pipelineEvent.Sha256 ?? info.Sha256, Precision = pipelineEvent.Precision ?? info.Precision };
        }

        Streams.RecordEvent(pipelineEvent);
    }

    /// <summary>A stream joined the run: its series (one per head) are made, or, when it ran before, shown again.</summary>
    public void OnStreamAdded(StreamOptions stream)
    {
        lock (gate)
        {
            if (Streams.IndexOf(stream.Id) < 0)
            {
                // The series first: a report finds the stream (and so its series) once Streams has it.
                series = [.. series, .. SeriesOf(Streams.Count, stream.Id)];
            }

            Streams.Add(stream);
        }
    }

    /// <summary>A stream left the run: its series are left out of the exposition (and the health check) from now on.</summary>
    public void OnStreamRemoved(string stream) => Streams.Remove(stream);

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

    /// <summary>Removes the <see cref="Meter"/> from listeners; the Prometheus text keeps working.</summary>
    public void Dispose() => instruments.Dispose();

    internal IEnumerable<Measurement<int>> LevelMeasurements() =>
        Present().Select(one => new Measurement<int>(one.Level, Tags(one.Labels)));

    internal IEnumerable<Measurement<double>> LastFrameMeasurements() =>
        Present().Where(one => one.LastFrameUnixMilliseconds != 0).Select(one => new Measurement<double>(one.LastFrameUnixMilliseconds / 1000.0, Tags(one.Labels)));

    internal IEnumerable<Measurement<int>> CameraMeasurements() =>
        PresentStreams().Select(i => new Measurement<int>(Streams.IsCameraLost(i) ? 0 : 1, StreamTag(i)));

    internal IEnumerable<Measurement<long>> PerStreamMeasurements(Func<int, long>? value) =>
        value is null ? [] : PresentStreams().Select(i => new Measurement<long>(value(i), StreamTag(i)));

    internal IEnumerable<Measurement<long>> HardFrameMeasurements() => HardFrames is not { } capture ? [] :
    [
        Outcome(capture.Saved, "saved"), Outcome(capture.RateLimited, "rate_limited"), Outcome(capture.Duplicates, "duplicate"),
        Outcome(capture.QueueFull, "queue_full"), Outcome(capture.DiskFull, "over_bound"), Outcome(capture.NoSpace, "no_space"),
        Outcome(capture.Failed, "failed"),
    ];

    internal IEnumerable<Measurement<long>> LineMeasurements(bool written) =>
        (LineOutputs ?? []).Select(output => new Measurement<long>(written ? output.Sink.Written : output.Sink.NotWritten, new KeyValuePair<string, object?>("output", output.Flag)));

    internal IEnumerable<Measurement<int>> ModelMeasurements() => Model is not { } info ? [] :
    [
        new Measurement<int>(1, new("model", info.Model), new("sha256", info.Sha256), new("precision", info.Precision), new("ep", info.ExecutionProvider)),
    ];

    private static KeyValuePair<string, object?>[] Tags((string Name, string Value)[] labels) =>
        [.. labels.Select(label => new KeyValuePair<string, object?>(label.Name, label.Value))];

    private KeyValuePair<string, object?> StreamTag(int stream) => new("stream", Streams.IdOf(stream));

    /// <summary>The series of the stream at <paramref name="stream"/> (its index in <see cref="Streams"/>), one per head.</summary>
    private IEnumerable<HeadSeries> SeriesOf(int stream) => SeriesOf(stream, Streams.IdOf(stream));

    private IEnumerable<HeadSeries> SeriesOf(int stream, string id) =>
        Enumerable.Range(0, headCount).Select(h => new HeadSeries(stream, heads is null ? [("stream", id)] : [("stream", id), ("model", heads[h])]));

    /// <summary>The series of the streams running now (a snapshot).</summary>
    private IEnumerable<HeadSeries> Present() => series.Where(one => Streams.IsPresent(one.Stream));

    private IEnumerable<int> PresentStreams() => Enumerable.Range(0, Streams.Count).Where(Streams.IsPresent);

    private static Measurement<long> Outcome(long value, string outcome) => new(value, new KeyValuePair<string, object?>("outcome", outcome));

    private int HeadOf(string name)
    {
        if (heads is null)
        {
            return 0;
        }

        for (var i = 0; i < heads.Length; i++)
        {
            if (string.Equals(heads[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static (string Name, string Value)[] With((string Name, string Value)[] labels, (string Name, string Value) extra) => [.. labels, extra];

    private void WriteLatency(PrometheusTextWriter writer)
    {
        writer.Family("edge_stage_latency_seconds", "histogram", "Time a decoded frame spent in each stage of the frame path (publish: published frames only).");
        foreach (var one in Present())
        {
            for (var i = 0; i < TimedStages.Length; i++)
            {
                one.Stage(i).WriteSamples(writer, "edge_stage_latency_seconds", With(one.Labels, ("stage", StageLabel(TimedStages[i]))));
            }
        }

        writer.Family("edge_end_to_end_latency_seconds", "histogram", "Capture to the label set handed to the sink, for published frames.");
        foreach (var one in Present())
        {
            one.EndToEnd.WriteSamples(writer, "edge_end_to_end_latency_seconds", one.Labels);
        }
    }

    private void WriteFrameCounters(PrometheusTextWriter writer)
    {
        Counter(writer, "edge_frames_processed_total", "Frames the pipeline took from the capture hand-off, whatever became of them.", one => one.Processed);
        Counter(writer, "edge_frames_published_total", "Label sets handed to the sink, late ones included.", one => one.Published);
        writer.Family("edge_frames_dropped_total", "counter", "Frames dropped before any work: stale (past their deadline or queue budget), skipped by a degrade step, or taken while the stream was paused.");
        foreach (var one in Present())
        {
            writer.Sample("edge_frames_dropped_total", one.DroppedStale, With(one.Labels, ("reason", "stale")));
            writer.Sample("edge_frames_dropped_total", one.Skipped, With(one.Labels, ("reason", "skipped")));
            writer.Sample("edge_frames_dropped_total", one.Paused, With(one.Labels, ("reason", "paused")));
        }

        Counter(writer, "edge_frames_late_total", "Label sets published after their deadline (deadline_met false).", one => one.Late);
        Counter(writer, "edge_frames_withheld_total", "Label sets not published because they missed their deadline (miss policy drop).", one => one.Withheld);
        Counter(writer, "edge_frames_cancelled_total", "Inferences terminated at their deadline.", one => one.Cancelled);
        Counter(writer, "edge_deadline_missed_total", "Frames that missed their deadline while being processed: late, withheld and cancelled.", one => one.Late + one.Withheld + one.Cancelled);
        writer.Family("edge_unknown_stream_reports_total", "counter", "Frame reports of a stream or head that was not configured (they get no series of their own).");
        writer.Sample("edge_unknown_stream_reports_total", UnknownReports);
    }

    private void WriteRunLoopMetrics(PrometheusTextWriter writer)
    {
        if (CapturedFrames is { } captured)
        {
            PerStream(writer, "edge_frames_captured_total", "Frames read from the source by the capture loop.", captured);
        }

        if (OverwrittenFrames is { } overwritten)
        {
            PerStream(writer, "edge_frames_overwritten_total", "Captured frames replaced in the hand-off before the pipeline took them.", overwritten);
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
        foreach (var one in Present())
        {
            writer.Sample("edge_degrade_level", one.Level, one.Labels);
        }

        writer.Family("edge_camera_connected", "gauge", "1 while the stream's camera delivers, 0 from camera_lost to camera_recovered.");
        foreach (var i in PresentStreams())
        {
            writer.Sample("edge_camera_connected", Streams.IsCameraLost(i) ? 0 : 1, ("stream", Streams.IdOf(i)));
        }

        if (Present().Any(one => one.LastFrameUnixMilliseconds != 0))
        {
            writer.Family("edge_last_frame_timestamp_seconds", "gauge", "Unix time at which the pipeline last finished with a frame of the stream (and head).");
            foreach (var one in Present())
            {
                if (one.LastFrameUnixMilliseconds != 0)
                {
                    writer.Sample("edge_last_frame_timestamp_seconds", one.LastFrameUnixMilliseconds / 1000.0, one.Labels);
                }
            }
        }
    }

    private void Counter(PrometheusTextWriter writer, string name, string help, Func<HeadSeries, long> value)
    {
        writer.Family(name, "counter", help);
        foreach (var one in Present())
        {
            writer.Sample(name, value(one), one.Labels);
        }
    }

    private void PerStream(PrometheusTextWriter writer, string name, string help, Func<int, long> value)
    {
        writer.Family(name, "counter", help);
        foreach (var stream in PresentStreams())
        {
            writer.Sample(name, value(stream), ("stream", Streams.IdOf(stream)));
        }
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
