using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Inference;

namespace Edge.Runtime.Pipeline;

/// <summary>One stream as the scheduler serves it: the slot its camera fills and one lane per inference head it feeds.</summary>
public sealed record ScheduledStream(FrameSlot Slot, IReadOnlyList<FramePipeline> Lanes);

/// <summary>
/// Runs several streams' frames through shared sessions on one frame thread, earliest deadline first. Each stream's
/// newest frame is taken as soon as the stream's previous frame is done; each of its lanes (one per head) admits it
/// through its own budget gate. The next batch goes to the session of the most urgent waiting frame: its waiting frames
/// are ordered by deadline, those past their deadline or predicted to miss it even alone are given up before any work
/// (every <see cref="ProbeEvery"/>th such prediction in a row is run anyway, so a pessimistic estimate gets
/// corrected), and <see cref="BatchPlanner"/> sizes the batch from the session's <see cref="BatchLatencyModel"/>. Every frame of the batch is preprocessed straight into its row of the session input,
/// the run is cancelled at the batch's earliest inference deadline, and each row is decoded and published by its own
/// lane. With batch-1 sessions this is deadline-ordered round-robin. Nothing is allocated per frame. A model swap
/// (<see cref="ModelSwap"/>) prepared elsewhere is applied at the top of an iteration, between two batches.
/// </summary>
public sealed class BatchScheduler : IDisposable
{
    /// <summary>A session's frames predicted to miss are still run once in this many, to measure afresh.</summary>
    public const int ProbeEvery = 8;

    private readonly TimeProvider time;
    private readonly FrameSignal signal;
    private readonly InferenceWatchdog watchdog;
    private readonly Feed[] feeds;
    private readonly Lane[] lanes;
    private readonly ModelSession[] sessions;
    private readonly BatchLatencyModel[] models;
    private readonly long[][] batches;
    private readonly double[][] predictedMs;
    private readonly double[][] actualMs;
    private readonly int[] hopelessStreaks;
    private readonly int[] candidates;
    private readonly long[] deadlines;

    // Set while the batch being formed holds a frame run as a probe: its measurement then replaces the estimate.
    private bool probing;

    // A model swap prepared off the frame thread, waiting for the next batch boundary (ModelSwap). Read once per
    // iteration; no lock while none is pending.
    private SessionSwitch? pendingSwitch;

    /// <param name="streams">Their slots must have been made with <paramref name="signal"/> as their signal.</param>
    /// <param name="signal">Set by every stream's slot; owned by the caller.</param>
    public BatchScheduler(IReadOnlyList<ScheduledStream> streams, FrameSignal signal, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfZero(streams.Count);
        this.signal = signal;
        this.time = time;
        watchdog = new InferenceWatchdog(time);
        var laneList = new List<Lane>();
        var sessionList = new List<ModelSession>();
        feeds = new Feed[streams.Count];
        for (var s = 0; s < streams.Count; s++)
        {
            if (!ReferenceEquals(streams[s].Slot.Signal, signal))
            {
                throw new ArgumentException($"stream {s}'s slot does not wake the scheduler: make it with the scheduler's signal", nameof(streams));
            }

            feeds[s] = new Feed(streams[s].Slot, laneList.Count, streams[s].Lanes.Count);
            foreach (var pipeline in streams[s].Lanes)
            {
                laneList.Add(new Lane(pipeline, s));
                foreach (var session in pipeline.Sessions)
                {
                    if (!sessionList.Contains(session))
                    {
                        sessionList.Add(session);
                    }
                }
            }
        }

        lanes = [.. laneList];
        sessions = [.. sessionList];
        models = [.. sessions.Select(session => new BatchLatencyModel(session.MaxBatch))];
        batches = [.. sessions.Select(session => new long[session.MaxBatch])];
        predictedMs = [.. sessions.Select(session => new double[session.MaxBatch])];
        actualMs = [.. sessions.Select(session => new double[session.MaxBatch])];
        hopelessStreaks = new int[sessions.Length];
        candidates = new int[lanes.Length];
        deadlines = new long[lanes.Length];
    }

    /// <summary>The most frames one batch may take on a session: its <see cref="ModelSession.MaxBatch"/>.</summary>
    public IReadOnlyList<ModelSession> Sessions => sessions;

    /// <summary>The latency model of each of <see cref="Sessions"/>, in the same order.</summary>
    public IReadOnlyList<BatchLatencyModel> LatencyModels => models;

    /// <summary>Completed batches of <paramref name="size"/> frames on session <paramref name="session"/> (an index into <see cref="Sessions"/>).</summary>
    public long Batches(int session, int size) => batches[session][size - 1];

    /// <summary>
    /// For completed batches of <paramref name="size"/> on session <paramref name="session"/>: the mean latency the
    /// scheduler predicted when it formed them, and the mean it measured (first preprocess to last decode), in ms.
    /// </summary>
    public (double Predicted, double Actual) BatchLatency(int session, int size)
    {
        var count = batches[session][size - 1];
        return count == 0 ? (double.NaN, double.NaN) : (predictedMs[session][size - 1] / count, actualMs[session][size - 1] / count);
    }

    /// <summary>Every lane of every stream (a model swap finds the lanes of its head here).</summary>
    public IEnumerable<FramePipeline> Pipelines => lanes.Select(lane => lane.Pipeline);

    /// <summary>Label sets published by every lane together.</summary>
    public long Published
    {
        get
        {
            long published = 0;
            foreach (var lane in lanes)
            {
                published += lane.Pipeline.Stats.Published;
            }

            return published;
        }
    }

    /// <summary>
    /// Measures every batch size each session can run (<paramref name="rounds"/> runs each, on blank input) to seed its
    /// latency model, so the first frames are batched on a prediction rather than a guess.
    /// </summary>
    public void WarmUp(int rounds = 2)
    {
        for (var i = 0; i < sessions.Length; i++)
        {
            Array.Clear(sessions[i].Input);
            for (var size = 1; size <= sessions[i].MaxBatch; size++)
            {
                sessions[i].Run(size); // a batch size's first run pays one-off costs: kept out of the estimate
                for (var round = 0; round < rounds; round++)
                {
                    var started = time.GetTimestamp();
                    sessions[i].Run(size);
                    models[i].Record(size, time.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }
    }

    /// <summary>
    /// Serves the streams until every one has ended, <paramref name="frameLimit"/> label sets are published by all lanes
    /// together (0: no limit), or cancellation. A stream whose camera is lost only stops delivering; the others go on.
    /// </summary>
    public void Run(long frameLimit, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && (frameLimit <= 0 || Published < frameLimit))
        {
            if (RunOnce(out var open))
            {
                continue;
            }

            if (open == 0)
            {
                return;
            }

            // The time-out only bounds how long a missed wake-up could cost; every published frame sets the signal.
            signal.Wait(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    /// <summary>
    /// Gives every stream whose previous frame is done its newest frame and runs one batch: false when no frame waited.
    /// <paramref name="open"/> counts the streams not yet ended.
    /// </summary>
    public bool RunOnce(out int open)
    {
        if (Volatile.Read(ref pendingSwitch) is not null)
        {
            ApplySwitch();
        }

        open = TakeFrames();
        return RunNextBatch();
    }

    /// <summary>
    /// Hands a prepared model swap to the frame thread, which applies it before its next batch and then completes
    /// <see cref="SessionSwitch.Done"/>. One at a time: false when another is still waiting.
    /// </summary>
    internal bool Post(SessionSwitch change)
    {
        if (Interlocked.CompareExchange(ref pendingSwitch, change, null) is not null)
        {
            return false;
        }

        signal.Set(); // an idle scheduler reaches its next boundary now rather than at its wait's time-out
        return true;
    }

    /// <summary>Whether a posted swap waits for the next boundary.</summary>
    internal bool SwitchPending => Volatile.Read(ref pendingSwitch) is not null;

    /// <summary>Takes back a posted swap the frame thread has not applied yet: false when it already has.</summary>
    internal bool Withdraw(SessionSwitch change) => ReferenceEquals(Interlocked.CompareExchange(ref pendingSwitch, null, change), change);

    /// <summary>
    /// Between two batches: every replaced head goes in, frames admitted but not yet preprocessed move to the new head
    /// (so none is lost or run twice), and the session's slot gets the new session and its warm-up latency model.
    /// </summary>
    private void ApplySwitch()
    {
        var change = Interlocked.Exchange(ref pendingSwitch, null);
        if (change is null)
        {
            return;
        }

        var index = Array.FindIndex(sessions, session => ReferenceEquals(session, change.Old));
        if (index < 0 || change.Replacement.MaxBatch != sessions[index].MaxBatch)
        {
            change.Done.TrySetException(new InvalidOperationException("the session to replace is not one of the scheduler's, or the replacement's max batch differs"));
            return;
        }

        foreach (var (pipeline, level, _, replacement) in change.Heads)
        {
            pipeline.ReplaceHead(level, replacement);
        }

        for (var l = 0; l < lanes.Length; l++)
        {
            ref var lane = ref lanes[l];
            if (!lane.Pending)
            {
                continue;
            }

            foreach (var (pipeline, _, old, replacement) in change.Heads)
            {
                if (ReferenceEquals(pipeline, lane.Pipeline) && ReferenceEquals(lane.Frame.Head, old))
                {
                    lane.Frame = lane.Frame with { Head = replacement };
                }
            }
        }

        sessions[index] = change.Replacement;
        models[index] = change.LatencyModel;
        hopelessStreaks[index] = 0;
        var switched = new List<StreamSwitch>();
        foreach (var (pipeline, level, _, _) in change.Heads)
        {
            if (level == 0)
            {
                switched.Add(new StreamSwitch(pipeline.Stream, pipeline.LastFrame));
            }
        }

        change.Done.TrySetResult(switched);
    }

    /// <summary>Gives every stream whose previous frame is done its newest frame; returns the streams not yet ended.</summary>
    private int TakeFrames()
    {
        var open = 0;
        for (var s = 0; s < feeds.Length; s++)
        {
            ref var feed = ref feeds[s];
            if (feed.Ended)
            {
                continue;
            }

            open++;
            if (feed.Waiting > 0)
            {
                continue;
            }

            var state = feed.Slot.TryTake(out var frame);
            if (state == SlotState.Completed)
            {
                feed.Ended = true;
                open--;
                continue;
            }

            if (state == SlotState.Taken)
            {
                Admit(ref feed, frame!);
            }
        }

        return open;
    }

    private void Admit(ref Feed feed, Frame frame)
    {
        var taken = time.GetTimestamp();
        for (var l = feed.FirstLane; l < feed.FirstLane + feed.LaneCount; l++)
        {
            ref var lane = ref lanes[l];
            if (lane.Pipeline.Gate is { } gate && !gate())
            {
                lane.Pipeline.Stats.Skipped++;
                continue;
            }

            if (lane.Pipeline.Admit(frame, taken, out lane.Frame) is null)
            {
                lane.Pending = true;
                lane.Deadline = lane.Pipeline.DeadlineOf(lane.Frame);
                feed.Waiting++;
            }
        }
    }

    /// <summary>Runs one batch on the session of the most urgent waiting frame; false when no frame waits.</summary>
    private bool RunNextBatch()
    {
        var urgent = -1;
        for (var l = 0; l < lanes.Length; l++)
        {
            if (lanes[l].Pending && (urgent < 0 || lanes[l].Deadline < lanes[urgent].Deadline))
            {
                urgent = l;
            }
        }

        if (urgent < 0)
        {
            return false;
        }

        var session = lanes[urgent].Frame.Head.Session;
        var sessionIndex = IndexOf(session);
        var model = models[sessionIndex];
        var count = Candidates(session, sessionIndex, model);
        if (count == 0)
        {
            probing = false;
            return true;
        }

        var size = BatchPlanner.Size(deadlines.AsSpan(0, count), time.GetTimestamp(), model, time.TimestampFrequency);
        var predicted = model.Predict(size);
        var started = time.GetTimestamp();
        for (var row = 0; row < size; row++)
        {
            ref var lane = ref lanes[candidates[row]];
            lane.Pipeline.Preprocess(lane.Frame, row);
        }

        var preprocessed = time.GetTimestamp();
        var cancelAt = long.MaxValue;
        for (var row = 0; row < size; row++)
        {
            ref var lane = ref lanes[candidates[row]];
            cancelAt = Math.Min(cancelAt, lane.Pipeline.InferenceDeadline(lane.Frame, preprocessed));
        }

        watchdog.Arm(session, cancelAt);
        lanes[candidates[0]].Pipeline.StageDelay?.DelayBatch(size, watchdog);
        var completed = session.TryRun(size);
        watchdog.Disarm(out var cancelDelay);
        var run = new BatchRun(started, preprocessed, time.GetTimestamp(), completed, cancelDelay, size);
        for (var row = 0; row < size; row++)
        {
            ref var lane = ref lanes[candidates[row]];
            lane.Pipeline.Complete(lane.Frame, row, run);
            Done(ref lane);
        }

        if (completed)
        {
            // A probe ran because the estimate kept saying no: its measurement replaces the estimate.
            var actual = time.GetElapsedTime(started).TotalMilliseconds;
            model.Record(size, actual, restart: probing);
            batches[sessionIndex][size - 1]++;
            predictedMs[sessionIndex][size - 1] += predicted;
            actualMs[sessionIndex][size - 1] += actual;
            hopelessStreaks[sessionIndex] = 0;
        }

        probing = false;

        return true;
    }

    /// <summary>
    /// Orders the frames waiting for <paramref name="session"/> by deadline into <see cref="candidates"/>, giving up
    /// those already past their deadline and those that cannot meet it even alone (but for a probe now and then).
    /// </summary>
    private int Candidates(ModelSession session, int sessionIndex, BatchLatencyModel model)
    {
        var now = time.GetTimestamp();
        var count = 0;
        for (var l = 0; l < lanes.Length; l++)
        {
            ref var lane = ref lanes[l];
            if (!lane.Pending || !ReferenceEquals(lane.Frame.Head.Session, session))
            {
                continue;
            }

            var stale = now > lane.Deadline;
            var hopeless = !stale && BatchPlanner.Hopeless(lane.Deadline, now, model, time.TimestampFrequency);
            probing |= hopeless && ++hopelessStreaks[sessionIndex] % ProbeEvery == 0;
            if (stale || (hopeless && hopelessStreaks[sessionIndex] % ProbeEvery != 0))
            {
                lane.Pipeline.Expire(lane.Frame, predicted: !stale);
                Done(ref lane);
                continue;
            }

            // Insertion sort: a handful of streams, and no allocation.
            var at = count++;
            while (at > 0 && deadlines[at - 1] > lane.Deadline)
            {
                candidates[at] = candidates[at - 1];
                deadlines[at] = deadlines[at - 1];
                at--;
            }

            candidates[at] = l;
            deadlines[at] = lane.Deadline;
        }

        return count;
    }

    private void Done(ref Lane lane)
    {
        lane.Pending = false;
        lane.Frame = default;
        feeds[lane.Feed].Waiting--;
    }

    private int IndexOf(ModelSession session)
    {
        for (var i = 0; i < sessions.Length; i++)
        {
            if (ReferenceEquals(sessions[i], session))
            {
                return i;
            }
        }

        throw new InvalidOperationException("a lane's head runs a session the scheduler was not given");
    }

    public void Dispose()
    {
        watchdog.Dispose();
    }

    private struct Feed(FrameSlot slot, int firstLane, int laneCount)
    {
        public readonly FrameSlot Slot = slot;
        public readonly int FirstLane = firstLane;
        public readonly int LaneCount = laneCount;

        /// <summary>Lanes still to finish the stream's current frame; a new frame is taken only at 0.</summary>
        public int Waiting;
        public bool Ended;
    }

    private struct Lane(FramePipeline pipeline, int feed)
    {
        public readonly FramePipeline Pipeline = pipeline;
        public readonly int Feed = feed;
        public bool Pending;
        public AdmittedFrame Frame;
        public long Deadline;
    }
}
