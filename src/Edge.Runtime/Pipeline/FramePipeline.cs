using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Decoding;
using Edge.Runtime.HardFrames;
using Edge.Runtime.Inference;
using Edge.Runtime.Preprocessing;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Pipeline;

public enum FrameOutcome
{
    Published,
    DroppedStale,
}

/// <summary>
/// The per-frame path: budget gate -> preprocess -> inference -> decode -> serialise -> publish. Every stage is
/// timed; nothing here allocates once warm.
/// </summary>
public sealed class FramePipeline
{
    private readonly ModelSession session;
    private readonly ImagePreprocessor preprocessor;
    private readonly MultiLabelDecoder decoder;
    private readonly LabelSetWriter writer;
    private readonly ILabelSetSink sink;
    private readonly FrameBudget budget;
    private readonly TimeProvider time;
    private readonly long anchorTimestamp;
    private readonly DateTimeOffset anchorWallClock;
    private readonly LabelLocator? locator;

    public FramePipeline(ModelSession session, ImagePreprocessor preprocessor, MultiLabelDecoder decoder, LabelSetWriter writer, ILabelSetSink sink, FrameBudget budget, TimeProvider time)
    {
        this.session = session;
        this.preprocessor = preprocessor;
        this.decoder = decoder;
        this.writer = writer;
        this.sink = sink;
        this.budget = budget;
        this.time = time;
        anchorTimestamp = time.GetTimestamp();
        anchorWallClock = time.GetUtcNow();
        locator = session.Maps is null ? null : new LabelLocator(decoder.LabelCount, session.MapHeight, session.MapWidth);
    }

    public PipelineStats Stats { get; } = new();

    /// <summary>Optional capture of frames the model was unsure about (for annotation); never blocks the frame.</summary>
    public HardFrameCapture? HardFrames { get; init; }

    /// <summary>Takes frames from the slot until it completes, <paramref name="frameLimit"/> label sets are
    /// published (0: no limit), or cancellation.</summary>
    public void Run(FrameSlot slot, long frameLimit, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && (frameLimit <= 0 || Stats.Published < frameLimit))
        {
            var frame = slot.Take(cancellationToken);
            if (frame is null)
            {
                return;
            }

            Process(frame);
        }
    }

    public FrameOutcome Process(Frame frame)
    {
        var taken = time.GetTimestamp();
        if (budget.IsStale(frame.CapturedAt, taken))
        {
            Stats.DroppedStale++;
            return FrameOutcome.DroppedStale;
        }

        preprocessor.Process(frame.PixelSpan, frame.Width, frame.Height, session.Input);
        var preprocessed = time.GetTimestamp();
        session.Run();
        var inferred = time.GetTimestamp();
        decoder.Decode(session.Output);
        locator?.Locate(session.Maps, decoder.Active);
        var decoded = time.GetTimestamp();

        var latency = new StageLatency
        {
            Queue = Milliseconds(frame.CapturedAt, taken),
            Preprocess = Milliseconds(taken, preprocessed),
            Inference = Milliseconds(preprocessed, inferred),
            Decode = Milliseconds(inferred, decoded),
            Total = Milliseconds(frame.CapturedAt, decoded),
        };
        var met = budget.IsMet(frame.CapturedAt, decoded);
        var capturedAt = WallClockOf(frame.CapturedAt);
        writer.Write(frame, capturedAt, decoder, latency, budget.BudgetMs, met, locator);
        sink.Publish(writer.Message.Span);
        HardFrames?.Offer(frame, decoder.Scores, decoder.Active, decoder.TurnedOn, decoder.TurnedOff, capturedAt);
        Record(frame, latency, met);
        return FrameOutcome.Published;
    }

    private void Record(Frame frame, in StageLatency latency, bool met)
    {
        Stats.Published++;
        if (!met)
        {
            Stats.DeadlineMissed++;
        }

        Stats.Queue.Record(latency.Queue);
        Stats.Preprocess.Record(latency.Preprocess);
        Stats.Inference.Record(latency.Inference);
        Stats.Decode.Record(latency.Decode);
        Stats.Total.Record(latency.Total);
        if (frame.HasTruth)
        {
            Stats.TruthFrames++;
            Stats.TruthF1Sum += ExampleF1(frame.Truth, decoder);
        }
    }

    /// <summary>Example-based F1 of one frame: 2|P∩T| / (|P|+|T|), 1 when both are empty.</summary>
    internal static double ExampleF1(ReadOnlySpan<int> truth, MultiLabelDecoder decoder)
    {
        if (truth.Length == 0 && decoder.ActiveCount == 0)
        {
            return 1;
        }

        var hits = 0;
        foreach (var label in truth)
        {
            if (decoder.IsActive(label))
            {
                hits++;
            }
        }

        return 2.0 * hits / (truth.Length + decoder.ActiveCount);
    }

    private double Milliseconds(long from, long to) => (to - from) * 1000.0 / time.TimestampFrequency;

    private DateTimeOffset WallClockOf(long timestamp) =>
        anchorWallClock.AddTicks((long)((timestamp - anchorTimestamp) * (double)TimeSpan.TicksPerSecond / time.TimestampFrequency));
}
