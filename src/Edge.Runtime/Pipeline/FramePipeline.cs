using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Runtime.Events;
using Edge.Runtime.HardFrames;
using Edge.Runtime.Inference;
using Edge.Runtime.Preprocessing;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Pipeline;

public enum FrameOutcome : byte
{
    Published,

    /// <summary>Published, marked <c>deadline_met: false</c>.</summary>
    PublishedLate,

    /// <summary>Past its deadline before any work: dropped.</summary>
    DroppedStale,

    /// <summary>Passed over by a degrade step that processes one frame in N.</summary>
    Skipped,

    /// <summary>Missed its deadline; not published (miss policy <c>drop</c>).</summary>
    Withheld,

    /// <summary>Inference terminated at the deadline.</summary>
    Cancelled,

    /// <summary>Taken from a paused stream: not inferred, nothing published.</summary>
    Paused,
}

/// <summary>
/// The per-frame path of one stream: budget gate -> preprocess -> inference (cancelled at the deadline) -> decode ->
/// serialise -> publish, under a <see cref="MissPolicy"/>, stepping down and up a degrade ladder when asked to. Each
/// frame goes through one <see cref="InferenceHead"/>: the configured model's, or the one the degrade level picks, at
/// that ladder step's frame stride. Every stage is timed; nothing here allocates once warm, except an inference that ONNX Runtime terminates (it reports that with
/// an exception).
/// </summary>
public sealed class FramePipeline : IDisposable
{
    private readonly InferenceHead[] heads;
    private readonly int[] frameStrides;
    private readonly MultiLabelDecoder decoder;
    private readonly TimeProvider time;
    private readonly InferenceWatchdog watchdog;
    private readonly DegradeOptions? ladderOptions;

    // Replaced between two frames by a control change (Retune); read on the frame thread only, but for status.
    private FrameBudget budget;
    private DegradeController? degrade;
    private readonly long anchorTimestamp;
    private readonly DateTimeOffset anchorWallClock;
    private long strideCounter;

    // Told to the outputs after the frame's report, so a label set always comes before the events it caused.
    private PipelineEvent? pendingMiss;
    private PipelineEvent? pendingLevelChange;

    public FramePipeline(ModelSession session, ImagePreprocessor preprocessor, MultiLabelDecoder decoder, LabelSetWriter writer, IReadOnlyList<IFrameOutput> outputs, FrameBudget budget, TimeProvider time)
        : this(new InferenceHead("model", session, preprocessor, decoder, writer) { Locator = session.Maps is null ? null : new LabelLocator(decoder.LabelCount, session.MapHeight, session.MapWidth) }, outputs, budget, time)
    {
    }

    /// <param name="primary">Level 0: the configured model, on every frame.</param>
    /// <param name="outputs">Told about every frame and event, in this order.</param>
    /// <param name="policy">What to do with frames that miss their deadline.</param>
    /// <param name="ladder">The degrade ladder: the options (each step's frame stride among them) and one head per
    /// ladder step, cheapest last. Every head must be of the primary's stream and share its decoder. Required by the
    /// degrade policy; under another policy it lets the policy be changed to degrade later (<see cref="Retune"/>).</param>
    public FramePipeline(InferenceHead primary, IReadOnlyList<IFrameOutput> outputs, FrameBudget budget, TimeProvider time, MissPolicy policy = MissPolicy.Flag, (DegradeOptions Options, IReadOnlyList<InferenceHead> Heads)? ladder = null)
    {
        if (policy == MissPolicy.Degrade && ladder is null)
        {
            throw new ArgumentException("the degrade policy needs a ladder", nameof(ladder));
        }

        if (ladder is { } l && l.Options.Ladder.Count != l.Heads.Count)
        {
            throw new ArgumentException($"the ladder has {l.Options.Ladder.Count} steps but {l.Heads.Count} heads", nameof(ladder));
        }

        heads = ladder is { } steps ? [primary, .. steps.Heads] : [primary];
        frameStrides = ladder is { } strides ? [1, .. strides.Options.Ladder.Select(step => step.FrameStride)] : [1];
        ladderOptions = ladder?.Options;
        foreach (var head in heads)
        {
            // One decoder across the ladder keeps smoothing and label on/off state through a level change (InferenceHead).
            if (!ReferenceEquals(head.Decoder, primary.Decoder) || head.Stream != primary.Stream)
            {
                throw new ArgumentException($"head '{head.Name}' is not of stream '{primary.Stream}' or has its own decoder: every head of a pipeline shares the stream's decoder", nameof(ladder));
            }
        }

        foreach (var stride in frameStrides)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1, nameof(ladder));
        }

        decoder = primary.Decoder;
        Outputs = new FrameOutputs(outputs);
        this.budget = budget;
        this.time = time;
        Policy = policy;
        degrade = policy == MissPolicy.Degrade ? new DegradeController(ladder!.Value.Options, budget.BudgetMs) : null;
        watchdog = new InferenceWatchdog(time);
        anchorTimestamp = time.GetTimestamp();
        anchorWallClock = time.GetUtcNow();
    }

    public PipelineStats Stats { get; private set; } = new();

    public MissPolicy Policy { get; private set; }

    /// <summary>Whether the pipeline has a degrade ladder, so its policy can be (or become) degrade.</summary>
    public bool HasLadder => ladderOptions is not null;

    /// <summary>Where every frame report and event goes (camera events from the capture loop too).</summary>
    public FrameOutputs Outputs { get; }

    public FrameBudget Budget => budget;

    /// <summary>The degrade level in force: 0 unless the degrade policy stepped down.</summary>
    public int Level => Policy == MissPolicy.Degrade && degrade is not null ? degrade.Level : 0;

    /// <summary>The head that runs at <see cref="Level"/>.</summary>
    public InferenceHead Head => heads[Level];

    /// <summary>Level 0 (the configured model's head), then one per degrade ladder step (when it has a ladder).</summary>
    public IReadOnlyList<InferenceHead> Heads => heads;

    /// <summary>The sequence number of the last frame this pipeline finished (published, dropped or skipped); 0 before any.</summary>
    public long LastFrame { get; private set; }

    /// <summary>The sessions this pipeline's heads run (one per distinct model of its ladder).</summary>
    public IEnumerable<ModelSession> Sessions => heads.Select(head => head.Session).Distinct();

    /// <summary>The stream this pipeline labels: every message and event carries it.</summary>
    public string Stream => heads[0].Stream;

    /// <summary>Optional capture of frames the model was unsure about (for annotation); never blocks the frame.</summary>
    public HardFrameCapture? HardFrames { get; init; }

    /// <summary>Test hook that slows a stage down.</summary>
    public IStageDelay? StageDelay { get; init; }

    /// <summary>Optional per-frame record of outcomes (benchmark timelines).</summary>
    public FrameTimeline? Timeline { get; init; }

    /// <summary>When set, frames are processed only while it returns true (a GPIO trigger input); others are skipped.</summary>
    public Func<bool>? Gate { get; init; }

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

            if (Gate is { } gate && !gate())
            {
                Stats.Skipped++;
                continue;
            }

            Process(frame);
        }
    }

    /// <summary>Runs one frame through every stage on its own (a batch of one).</summary>
    public FrameOutcome Process(Frame frame)
    {
        var taken = time.GetTimestamp();
        if (Admit(frame, taken, out var admitted) is { } finished)
        {
            return finished;
        }

        Preprocess(admitted, row: 0);
        var preprocessed = time.GetTimestamp();
        var session = admitted.Head.Session;
        watchdog.Arm(session, InferenceDeadline(admitted, preprocessed));
        StageDelay?.Delay(PipelineStage.Inference, watchdog);
        var completed = session.TryRun(1);
        watchdog.Disarm(out var cancelDelay);
        return Complete(admitted, row: 0, new BatchRun(taken, preprocessed, time.GetTimestamp(), completed, cancelDelay, Size: 1));
    }

    /// <summary>
    /// The budget gate and the degrade step's frame stride: null when the frame goes on to inference (then
    /// <paramref name="admitted"/> says with which head), else the outcome it was reported with.
    /// </summary>
    public FrameOutcome? Admit(Frame frame, long taken, out AdmittedFrame admitted)
    {
        admitted = default;

        // A lossless hand-off makes frames wait for the pipeline by design: their budget starts when the pipeline takes
        // them, or every frame behind a slow one would be stale (docs/budgets.md).
        var captured = frame.BudgetFromHandoff ? taken : frame.CapturedAt;
        if (budget.IsStale(captured, taken))
        {
            return DroppedStale(frame);
        }

        var frameStride = frameStrides[Level];
        if (frameStride > 1 && strideCounter++ % frameStride != 0)
        {
            Stats.Skipped++;
            return Finish(frame, double.NaN, FrameOutcome.Skipped);
        }

        admitted = new AdmittedFrame(frame, heads[Level], captured);
        return null;
    }

    /// <summary>The frame's end-to-end deadline (timestamp).</summary>
    public long DeadlineOf(in AdmittedFrame admitted) => budget.DeadlineOf(admitted.Captured);

    /// <summary>When its inference, started at <paramref name="startedAt"/>, must be cancelled.</summary>
    public long InferenceDeadline(in AdmittedFrame admitted, long startedAt) => budget.InferenceDeadline(admitted.Captured, startedAt);

    /// <summary>
    /// An admitted frame given up before any work: already past its deadline, or (<paramref name="predicted"/>) sure to
    /// miss it even in a batch of its own. Reported as dropped stale; a predicted miss counts as a miss for the degrade
    /// policy, which is how a stream whose frames cannot be served in time steps down its ladder.
    /// </summary>
    public FrameOutcome Expire(in AdmittedFrame admitted, bool predicted)
    {
        if (predicted)
        {
            Stats.PredictedMisses++;
            Observe(admitted.Frame, missed: true, budget.BudgetMs);
        }

        return DroppedStale(admitted.Frame);
    }

    /// <summary>Writes the frame into batch row <paramref name="row"/> of its head's session input.</summary>
    public void Preprocess(in AdmittedFrame admitted, int row)
    {
        StageDelay?.Delay(PipelineStage.Preprocess, watchdog);
        var frame = admitted.Frame;
        admitted.Head.Preprocessor.Process(frame.PixelSpan, frame.Width, frame.Height, admitted.Head.Session.InputOf(row));
    }

    /// <summary>Decodes batch row <paramref name="row"/> of the run (or reports the run's cancellation) and publishes under the miss policy.</summary>
    public FrameOutcome Complete(in AdmittedFrame admitted, int row, in BatchRun run)
    {
        var frame = admitted.Frame;
        var head = admitted.Head;
        var captured = admitted.Captured;
        if (!run.Completed)
        {
            return Cancelled(frame, Milliseconds(captured, run.Inferred), run.CancelDelay);
        }

        StageDelay?.Delay(PipelineStage.Decode, watchdog);
        decoder.Decode(head.Session.OutputOf(row), head.Rescoring);

        // The maps stay the model's own: re-scoring moves a label's score by what else is in the scene, which says
        // nothing about where the label is, so an active label is placed by its own map's peak.
        head.Locator?.Locate(head.Session.MapsOf(row), decoder.Active);
        var decoded = time.GetTimestamp();

        var overrun = budget.Overrun(run.Preprocessed - run.Started, run.Inferred - run.Preprocessed, decoded - run.Inferred);
        var met = overrun is null && budget.IsMet(captured, decoded);
        var latency = new StageLatency
        {
            Queue = Milliseconds(captured, run.Started),
            Preprocess = Milliseconds(run.Started, run.Preprocessed),
            Inference = Milliseconds(run.Preprocessed, run.Inferred),
            Decode = Milliseconds(run.Inferred, decoded),
            Total = Milliseconds(captured, decoded),
        };
        if (overrun is { } stage)
        {
            Stats.RecordOverrun(stage);
        }

        Stats.RecordBatch(run.Size);
        return !met && Policy == MissPolicy.Drop
            ? Withheld(frame, latency, overrun)
            : Published(frame, head, captured, decoded, latency, met, overrun, run.Size);
    }

    /// <summary>
    /// Puts <paramref name="replacement"/> in place of the head at <paramref name="level"/> (a model swap, on the frame
    /// thread between two frames). It must share the stream's decoder, so label state carries over.
    /// </summary>
    public void ReplaceHead(int level, InferenceHead replacement)
    {
        if (!ReferenceEquals(replacement.Decoder, decoder) || replacement.Stream != Stream)
        {
            throw new ArgumentException($"head '{replacement.Name}' is not of stream '{Stream}' or has its own decoder: a replacement keeps the stream's decoder", nameof(replacement));
        }

        heads[level] = replacement;
    }

    /// <summary>
    /// A paused stream's frame, taken so its camera keeps going: counted in <see cref="PipelineStats.Paused"/> and
    /// reported as <see cref="FrameOutcome.Paused"/>; nothing is inferred or published.
    /// </summary>
    public FrameOutcome Pass(Frame frame)
    {
        Stats.Paused++;
        return Finish(frame, double.NaN, FrameOutcome.Paused);
    }

    /// <summary>
    /// Frame thread, between two frames: frames admitted from now on get <paramref name="newBudget"/>, and frames
    /// completed from now on the miss policy <paramref name="policy"/>. Leaving the degrade policy goes back to level 0
    /// (reported as recovered after the next frame); entering it starts at level 0 with a fresh miss window.
    /// </summary>
    /// <exception cref="InvalidOperationException">The degrade policy on a pipeline without a ladder.</exception>
    public void Retune(FrameBudget newBudget, MissPolicy policy)
    {
        if (policy == MissPolicy.Degrade && ladderOptions is null)
        {
            throw new InvalidOperationException($"stream '{Stream}''s pipeline has no degrade ladder: expected drop or flag");
        }

        var level = Level;
        if (policy == MissPolicy.Degrade)
        {
            if (Policy == MissPolicy.Degrade && degrade is not null)
            {
                degrade.Rebudget(newBudget.BudgetMs);
            }
            else
            {
                degrade = new DegradeController(ladderOptions!, newBudget.BudgetMs);
            }
        }
        else if (level > 0)
        {
            Stats.Recoveries++;
            strideCounter = 0;
            pendingLevelChange = new PipelineEvent
            {
                Kind = PipelineEventKind.Recovered,
                Stream = Stream,
                Frame = LastFrame,
                At = WallClockOf(time.GetTimestamp()),
                Level = 0,
                Profile = heads[0].Name,
            };
        }

        budget = newBudget;
        Policy = policy;
    }

    /// <summary>Frame thread, between two frames: the labels' on and off thresholds from the next decoded frame on (see <see cref="MultiLabelDecoder.SetThresholds"/>).</summary>
    public void SetThresholds(IReadOnlyList<LabelThreshold> thresholds) => decoder.SetThresholds(thresholds);

    /// <summary>Frame thread, between two frames: the scene moved on (a paused stream resumes); see <see cref="MultiLabelDecoder.ForgetHistory"/>.</summary>
    public void ForgetHistory()
    {
        decoder.ForgetHistory();
        strideCounter = 0;
    }

    /// <summary>Starts counting afresh (after a warm-up); the decoder's state and the degrade level are kept.</summary>
    public void ResetStats()
    {
        Stats = new PipelineStats();
        Timeline?.Clear();
    }

    public void Dispose() => watchdog.Dispose();

    private FrameOutcome DroppedStale(Frame frame)
    {
        Stats.DroppedStale++;
        return Finish(frame, double.NaN, FrameOutcome.DroppedStale);
    }

    /// <summary>ONNX Runtime terminated the inference at the deadline: nothing to publish.</summary>
    private FrameOutcome Cancelled(Frame frame, double sinceCapture, TimeSpan cancelDelay)
    {
        Stats.Cancelled++;
        Stats.CancelDelay.Record(cancelDelay.TotalMilliseconds);
        Missed(frame, MissReason.Cancelled, PipelineStage.Inference, sinceCapture, published: false);
        Observe(frame, missed: true, sinceCapture);
        return Finish(frame, sinceCapture, FrameOutcome.Cancelled);
    }

    /// <summary>Decoded but late under the drop policy: the label set is not published, and not remembered as shown.</summary>
    private FrameOutcome Withheld(Frame frame, in StageLatency latency, PipelineStage? overrun)
    {
        decoder.Withhold();
        Stats.Withheld++;
        Missed(frame, overrun is null ? MissReason.Late : MissReason.StageOverrun, overrun, latency.Total, published: false);
        Record(frame, latency);
        Observe(frame, missed: true, latency.Total);
        return Finish(frame, latency.Total, FrameOutcome.Withheld, latency, decoded: true);
    }

    /// <summary>Serialises the label set and hands it to the outputs, marked late when it missed its deadline.</summary>
    private FrameOutcome Published(Frame frame, InferenceHead head, long captured, long decoded, in StageLatency latency, bool met, PipelineStage? overrun, int batch)
    {
        StageDelay?.Delay(PipelineStage.Publish, watchdog);
        var capturedAt = WallClockOf(frame.CapturedAt);
        head.Writer.Write(frame, capturedAt, decoder, latency, budget.BudgetMs, met, head.Locator, batch);
        HardFrames?.Offer(frame, decoder.Scores, decoder.Active, decoder.TurnedOn, decoder.TurnedOff, capturedAt);

        Stats.Published++;
        Record(frame, latency);
        if (!met)
        {
            Stats.Late++;
            Missed(frame, overrun is null ? MissReason.Late : MissReason.StageOverrun, overrun, latency.Total, published: true);
        }

        Observe(frame, !met, latency.Total);
        var outcome = Finish(frame, Milliseconds(captured, time.GetTimestamp()), met ? FrameOutcome.Published : FrameOutcome.PublishedLate, latency, decoded: true, head.Writer.Message);

        // Published means every output has taken the label set (written to stdout, queued for MQTT): the publish
        // stage and end-to-end latency include that.
        var published = time.GetTimestamp();
        Stats.Publish.Record(Milliseconds(decoded, published));
        Stats.EndToEnd.Record(Milliseconds(captured, published));
        Stats.PublishRate.Record(published, time.TimestampFrequency);
        return outcome;
    }

    private FrameOutcome Finish(Frame frame, double endToEnd, FrameOutcome outcome, in StageLatency latency = default, bool decoded = false, ReadOnlyMemory<byte> message = default)
    {
        Timeline?.Record(frame.CapturedAt, endToEnd, outcome);
        LastFrame = frame.Sequence;
        Outputs.OnFrame(new FrameReport
        {
            Stream = Stream,
            Model = heads[0].Name,
            Frame = frame.Sequence,
            Image = frame,
            Outcome = outcome,
            Latency = latency,
            EndToEndMs = outcome is FrameOutcome.Published or FrameOutcome.PublishedLate ? endToEnd : double.NaN,
            Level = Level,
            Labels = decoded ? decoder : null,
            Message = message,
            Stats = Stats,
        });
        if (!message.IsEmpty && decoder.TurnedOnCount + decoder.TurnedOffCount > 0)
        {
            LabelEvents(frame, WallClockOf(frame.CapturedAt));
        }

        TellPending(ref pendingMiss);
        TellPending(ref pendingLevelChange);
        return outcome;
    }

    private void TellPending(ref PipelineEvent? pending)
    {
        if (pending is { } pipelineEvent)
        {
            pending = null;
            Outputs.OnEvent(pipelineEvent);
        }
    }

    private void Record(Frame frame, in StageLatency latency)
    {
        Stats.Queue.Record(latency.Queue);
        Stats.Preprocess.Record(latency.Preprocess);
        Stats.Inference.Record(latency.Inference);
        Stats.Decode.Record(latency.Decode);
        if (frame.HasTruth)
        {
            Stats.TruthFrames++;
            Stats.TruthF1Sum += ExampleF1(frame.Truth, decoder);
        }
    }

    /// <summary>label_on / label_off for each transition of a published label set.</summary>
    private void LabelEvents(Frame frame, DateTimeOffset at)
    {
        foreach (var label in decoder.TurnedOn)
        {
            Outputs.OnEvent(new PipelineEvent { Kind = PipelineEventKind.LabelOn, Stream = Stream, Frame = frame.Sequence, At = at, Label = decoder.NameOf(label) });
        }

        foreach (var label in decoder.TurnedOff)
        {
            Outputs.OnEvent(new PipelineEvent { Kind = PipelineEventKind.LabelOff, Stream = Stream, Frame = frame.Sequence, At = at, Label = decoder.NameOf(label) });
        }
    }

    private void Missed(Frame frame, MissReason reason, PipelineStage? stage, double latencyMs, bool published)
    {
        Stats.DeadlineMisses.Record();
        pendingMiss = new PipelineEvent
        {
            Kind = PipelineEventKind.DeadlineMissed,
            Stream = Stream,
            Frame = frame.Sequence,
            At = WallClockOf(time.GetTimestamp()),
            Reason = reason,
            Stage = stage,
            LatencyMs = latencyMs,
            BudgetMs = budget.BudgetMs,
            Published = published,
            Status = Stats.DeadlineMisses.Take(),
        };
    }

    private void Observe(Frame frame, bool missed, double latencyMs)
    {
        if (degrade is null || Policy != MissPolicy.Degrade)
        {
            return;
        }

        var missRate = degrade.MissRate;
        var change = degrade.Observe(missed, latencyMs);
        if (change == LevelChange.None)
        {
            return;
        }

        strideCounter = 0;
        if (change == LevelChange.Degraded)
        {
            Stats.Degradations++;
        }
        else
        {
            Stats.Recoveries++;
        }

        pendingLevelChange = new PipelineEvent
        {
            Kind = change == LevelChange.Degraded ? PipelineEventKind.Degraded : PipelineEventKind.Recovered,
            Stream = Stream,
            Frame = frame.Sequence,
            At = WallClockOf(time.GetTimestamp()),
            Level = degrade.Level,
            Profile = heads[degrade.Level].Name,
            MissRate = change == LevelChange.Degraded ? missRate : 0,
        };
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

/// <summary>A frame past the budget gate, waiting for inference with the head its degrade level picked.</summary>
/// <param name="Captured">When its budget started (capture, or the hand-off for lossless sources).</param>
public readonly record struct AdmittedFrame(Frame Frame, InferenceHead Head, long Captured);

/// <summary>One inference over a batch: when its preprocessing started and ended, when the run ended, and whether it completed.</summary>
/// <param name="CancelDelay">How late the deadline timer cancelled it, when it did.</param>
public readonly record struct BatchRun(long Started, long Preprocessed, long Inferred, bool Completed, TimeSpan CancelDelay, int Size);
