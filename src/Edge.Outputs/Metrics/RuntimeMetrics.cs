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
/// The runtime's metrics, as instruments of the <see cref="Meter"/> (<c>Edge.Runtime</c>) that any
/// System.Diagnostics.Metrics listener reads: the Prometheus exporter behind <c>/metrics</c>, the OTLP push,
/// <c>dotnet-counters</c>. The pipeline reports every frame on its own thread, where recording into the counters and
/// histograms allocates nothing. Frame series carry a <c>stream</c> tag (and a <c>model</c> tag when the heads are
/// named), made for the configured streams and heads and for streams that join the run (<see cref="OnStreamAdded"/>)
/// only, so a report of anything else cannot add series: it is counted in <c>edge_unknown_stream_reports</c>. A stream
/// that leaves the run (<see cref="OnStreamRemoved"/>) drops out of the gauges and the health check; its counters keep
/// their last values (an exporter keeps a cumulative series it has seen), and go on should it join again. Capture counters and the model's identity come from the run loop
/// through <see cref="CapturedFrames"/>, <see cref="OverwrittenFrames"/> and <see cref="Model"/>, read when a listener
/// collects. Metric meanings: docs/metrics.md.
/// </summary>
public sealed class RuntimeMetrics : IFrameOutput, IDisposable
{
    /// <summary>The name of every <see cref="Meter"/> (<c>dotnet-counters monitor --counters Edge.Runtime</c>).</summary>
    public const string MeterName = RuntimeInstruments.MeterName;

    private readonly string[]? heads;

    // Stream-major: the series of stream s (its index in Streams) and head h is at s * headCount + h. Grown (copied)
    // when a stream joins; a frame report reads it once.
    private volatile SeriesState[] series;
    private readonly Lock gate = new();
    private readonly int headCount;
    private readonly RuntimeInstruments instruments;
    private long unknownReports;
    private volatile Func<int, long>? capturedFrames;
    private volatile Func<int, long>? overwrittenFrames;
    private volatile ModelInfo? model;
    private volatile HardFrameCapture? hardFrames;
    private volatile IReadOnlyList<LineOutput>? lineOutputs;
    private long collectFailures;
    private volatile Exception? lastCollectFailure;

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
    /// These metrics as instruments (counters, histograms advising the buckets of <see cref="LatencyBuckets"/>,
    /// observable counters and gauges), named <see cref="MeterName"/>, scoped to this instance (its
    /// <see cref="Meter.Scope"/>), so that an exporter can take this instance's meter and no other of the same name.
    /// </summary>
    public Meter Meter => instruments.Meter;

    public TimeProvider Time { get; }

    /// <summary>Which configured stream last processed a frame when, and whose camera is lost (for <c>/healthz</c>).</summary>
    public StreamLiveness Streams { get; }

    /// <summary>Reports of a stream or head that was not configured: counted, never given series of their own.</summary>
    public long UnknownReports => Interlocked.Read(ref unknownReports);

    /// <summary>
    /// How many times an observable instrument's callback failed (a provider such as <see cref="CapturedFrames"/>
    /// threw), with <see cref="LastCollectFailure"/>; <c>/metrics</c> answers 500 for a scrape during which it grew.
    /// </summary>
    public long CollectFailures => Interlocked.Read(ref collectFailures);

    /// <summary>The exception of the latest failed observable callback, or null while none failed.</summary>
    public Exception? LastCollectFailure => lastCollectFailure;

    /// <summary>
    /// Read when a listener collects, for <c>edge_frames_captured_total{stream}</c>, given each configured stream's index in
    /// <see cref="StreamLiveness.Ids"/> (omitted while null).
    /// </summary>
    public Func<int, long>? CapturedFrames
    {
        get => capturedFrames;
        set => capturedFrames = value;
    }

    /// <summary>Read when a listener collects, for <c>edge_frames_overwritten_total{stream}</c>, per stream index as <see cref="CapturedFrames"/>.</summary>
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

    /// <summary>Read when a listener collects, for <c>edge_hard_frames_total</c> (omitted while null).</summary>
    public HardFrameCapture? HardFrames
    {
        get => hardFrames;
        set => hardFrames = value;
    }

    /// <summary>The JSON-lines files (<c>--output</c>, <c>--events</c>), read when a listener collects, for <c>edge_output_lines_*</c>.</summary>
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
        instruments.Record(one, report);
        one.Record(report);
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

    /// <summary>A stream joined the run: its series (one per head) are made and announced, or, when it ran before, shown again.</summary>
    public void OnStreamAdded(StreamOptions stream)
    {
        lock (gate)
        {
            if (Streams.IndexOf(stream.Id) < 0)
            {
                // The series first: a report finds the stream (and so its series) once Streams has it.
                var added = SeriesOf(Streams.Count, stream.Id).ToArray();
                series = [.. series, .. added];
                instruments.AnnounceSeries(added);
            }

            Streams.Add(stream);
        }
    }

    /// <summary>A stream left the run: it drops out of the gauges and the health check from now on.</summary>
    public void OnStreamRemoved(string stream) => Streams.Remove(stream);

    /// <summary>
    /// Adds 0 to every frame counter's series, so that a listener that just attached (an exporter) has each series
    /// from the start rather than from its first frame; the exporters call it once they listen.
    /// </summary>
    public void AnnounceSeries() => instruments.AnnounceSeries(series);

    /// <summary>Removes the <see cref="Meter"/> from listeners.</summary>
    public void Dispose() => instruments.Dispose();

    /// <summary>
    /// Runs one observable callback's reading to the end (so that a provider's exception surfaces here, not inside the
    /// listener's enumeration), recording a failure instead of letting it into the listener.
    /// </summary>
    internal Measurement<T>[] Observe<T>(Func<IEnumerable<Measurement<T>>> read)
        where T : struct
    {
        try
        {
            return [.. read()];
        }
        catch (Exception e)
        {
            lastCollectFailure = e;
            Interlocked.Increment(ref collectFailures);
            return [];
        }
    }

    internal IEnumerable<Measurement<long>> UnknownReportMeasurements() => [new(UnknownReports)];

    internal IEnumerable<Measurement<int>> LevelMeasurements() =>
        Present().Select(one => new Measurement<int>(one.Level, Tags(one.Labels)));

    internal IEnumerable<Measurement<double>> LastFrameMeasurements() =>
        Present().Where(one => one.LastFrameUnixMilliseconds != 0).Select(one => new Measurement<double>(one.LastFrameUnixMilliseconds / 1000.0, Tags(one.Labels)));

    internal IEnumerable<Measurement<int>> CameraMeasurements() =>
        PresentStreams().Select(i => new Measurement<int>(Streams.IsCameraLost(i) ? 0 : 1, StreamTag(i)));

    internal IEnumerable<Measurement<double>> FpsMeasurements() =>
        Present().Select(one => new Measurement<double>(one.FramesPerSecond, Tags(one.Labels)));

    internal IEnumerable<Measurement<double>> LatencyMeasurements() =>
        Present().Where(one => !double.IsNaN(one.LastLatencyMilliseconds)).Select(one => new Measurement<double>(one.LastLatencyMilliseconds, Tags(one.Labels)));

    internal IEnumerable<Measurement<long>> FrameNumberMeasurements() =>
        Present().Where(one => one.LastFrameUnixMilliseconds != 0).Select(one => new Measurement<long>(one.LastFrameNumber, Tags(one.Labels)));

    internal IEnumerable<Measurement<int>> StreamCountMeasurements() =>
        [new(PresentStreams().Count(i => !Streams.IsCameraLost(i) && Streams.SinceLastFrame(i) is not null))];

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
    private IEnumerable<SeriesState> SeriesOf(int stream) => SeriesOf(stream, Streams.IdOf(stream));

    private IEnumerable<SeriesState> SeriesOf(int stream, string id) =>
        Enumerable.Range(0, headCount).Select(h => new SeriesState(stream, heads is null ? [("stream", id)] : [("stream", id), ("model", heads[h])], Time));

    /// <summary>The series of the streams running now (a snapshot).</summary>
    private IEnumerable<SeriesState> Present() => series.Where(one => Streams.IsPresent(one.Stream));

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
}
