using System.Collections.Concurrent;
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
/// lane. With batch-1 sessions this is deadline-ordered round-robin. Nothing is allocated per frame.
/// Changes prepared on other threads (<see cref="BoundaryChange"/>: a model swap, thresholds, budgets, a paused,
/// added or removed stream) are applied at the top of an iteration, between two batches, in the order they were
/// posted; while none is pending that costs one read of a counter.
/// </summary>
public sealed class BatchScheduler : IDisposable
{
    /// <summary>A session's frames predicted to miss are still run once in this many, to measure afresh.</summary>
    public const int ProbeEvery = 8;

    private readonly TimeProvider time;
    private readonly FrameSignal signal;
    private readonly InferenceWatchdog watchdog;
    private readonly ModelSession[] sessions;
    private readonly BatchLatencyModel[] models;
    private readonly long[][] batches;
    private readonly double[][] predictedMs;
    private readonly double[][] actualMs;
    private readonly int[] hopelessStreaks;

    // Rebuilt (on the frame thread, at a boundary) when a stream joins or leaves; never per frame.
    private Feed[] feeds;
    private Lane[] lanes;
    private int[] candidates;
    private long[] deadlines;

    // Set while the batch being formed holds a frame run as a probe: its measurement then replaces the estimate.
    private bool probing;

    // Changes posted from other threads, in order, and those the frame thread took but must try again (a stream
    // leaving waits for its frame in flight). unsettled counts both: the frame thread reads it once per iteration.
    private readonly ConcurrentQueue<BoundaryChange> posted = new();
    private readonly List<BoundaryChange> deferred = [];
    private int unsettled;
    private volatile bool stopped;

    // Label sets published by the lanes of streams no longer served.
    private long retiredPublished;

    // The model swap posted and not yet settled: one at a time (ModelSwap).
    private SessionSwitch? waitingSwitch;

    /// <param name="streams">Their slots must have been made with <paramref name="signal"/> as their signal.</param>
    /// <param name="signal">Set by every stream's slot; owned by the caller.</param>
    public BatchScheduler(IReadOnlyList<ScheduledStream> streams, FrameSignal signal, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfZero(streams.Count);
        this.signal = signal;
        this.time = time;
        watchdog = new InferenceWatchdog(time);
        var sessionList = new List<ModelSession>();
        for (var s = 0; s < streams.Count; s++)
        {
            if (!ReferenceEquals(streams[s].Slot.Signal, signal))
            {
                throw new ArgumentException($"stream {s}'s slot does not wake the scheduler: make it with the scheduler's signal", nameof(streams));
            }
        }

        foreach (var stream in streams)
        {
            foreach (var session in stream.Lanes.SelectMany(pipeline => pipeline.Sessions))
            {
                if (!sessionList.Contains(session))
                {
                    sessionList.Add(session);
                }
            }
        }

        sessions = [.. sessionList];
        models = [.. sessions.Select(session => new BatchLatencyModel(session.MaxBatch))];
        batches = [.. sessions.Select(session => new long[session.MaxBatch])];
        predictedMs = [.. sessions.Select(session => new double[session.MaxBatch])];
        actualMs = [.. sessions.Select(session => new double[session.MaxBatch])];
        hopelessStreaks = new int[sessions.Length];
        (feeds, lanes) = Layout([.. streams.Select(stream => (stream, new Feed(stream.Slot, 0, stream.Lanes.Count)))], []);
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

    /// <summary>Every lane of every stream (a model swap finds the lanes of its head here); a snapshot.</summary>
    public IEnumerable<FramePipeline> Pipelines => Volatile.Read(ref lanes).Select(lane => lane.Pipeline);

    /// <summary>The signal every stream's slot must set (a stream added later makes its slot with it).</summary>
    public FrameSignal Signal => signal;

    /// <summary>Whether <see cref="Run"/> has returned (or the scheduler was disposed): changes posted now are abandoned.</summary>
    public bool Stopped => stopped;

    /// <summary>Label sets published by every lane together (those of streams removed meanwhile included).</summary>
    public long Published
    {
        get
        {
            var published = Volatile.Read(ref retiredPublished);
            foreach (var lane in Volatile.Read(ref lanes))
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
        try
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
        finally
        {
            Stop();
        }
    }

    /// <summary>
    /// Gives every stream whose previous frame is done its newest frame and runs one batch: false when no frame waited.
    /// <paramref name="open"/> counts the streams not yet ended.
    /// </summary>
    public bool RunOnce(out int open)
    {
        if (Volatile.Read(ref unsettled) != 0)
        {
            ApplyChanges();
        }

        open = TakeFrames();
        return RunNextBatch();
    }

    /// <summary>
    /// Hands a change to the frame thread, which applies it before its next batch. An idle scheduler is woken to do
    /// so at once; a stopped one abandons it.
    /// </summary>
    internal void Post(BoundaryChange change)
    {
        Interlocked.Increment(ref unsettled);
        posted.Enqueue(change);
        signal.Set(); // an idle scheduler reaches its next boundary now rather than at its wait's time-out
        if (stopped)
        {
            AbandonPosted();
        }
    }

    /// <summary>Takes back a posted change the frame thread has not taken yet: false when it already has.</summary>
    internal bool Withdraw(BoundaryChange change)
    {
        if (!change.TryWithdraw())
        {
            return false;
        }

        Interlocked.CompareExchange(ref waitingSwitch, null, change as SessionSwitch);
        Interlocked.Decrement(ref unsettled);
        return true;
    }

    /// <summary>
    /// Hands a prepared model swap to the frame thread, which applies it before its next batch and then completes
    /// <see cref="SessionSwitch.Done"/>. One at a time: false when another is still waiting.
    /// </summary>
    internal bool Post(SessionSwitch change)
    {
        if (Interlocked.CompareExchange(ref waitingSwitch, change, null) is not null)
        {
            return false;
        }

        Post((BoundaryChange)change);
        return true;
    }

    /// <summary>Whether a posted swap waits for the next boundary.</summary>
    internal bool SwitchPending => Volatile.Read(ref waitingSwitch) is not null;

    /// <summary>Applies the changes waiting for this boundary, in the order they were posted.</summary>
    private void ApplyChanges()
    {
        for (var i = 0; i < deferred.Count; i++)
        {
            if (Apply(deferred[i]))
            {
                deferred.RemoveAt(i--);
                Interlocked.Decrement(ref unsettled);
            }
        }

        while (posted.TryDequeue(out var change))
        {
            if (!change.TryTake())
            {
                continue; // withdrawn or abandoned: settled already
            }

            if (Apply(change))
            {
                Interlocked.Decrement(ref unsettled);
            }
            else
            {
                deferred.Add(change);
            }
        }
    }

    private bool Apply(BoundaryChange change)
    {
        try
        {
            return change.TryApply(this);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A change is checked before it is posted; one that fails here anyway must not take the frame thread down.
            change.Fail(exception);
            return true;
        }
    }

    /// <summary>On the frame thread, once it will run no more: every change still waiting is abandoned.</summary>
    private void Stop()
    {
        stopped = true;
        foreach (var change in deferred)
        {
            change.Abandon();
            Interlocked.Decrement(ref unsettled);
        }

        deferred.Clear();
        AbandonPosted();
    }

    private void AbandonPosted()
    {
        while (posted.TryDequeue(out var change))
        {
            if (change.TryTake())
            {
                Interlocked.CompareExchange(ref waitingSwitch, null, change as SessionSwitch);
                change.Abandon();
                Interlocked.Decrement(ref unsettled);
            }
        }
    }

    /// <summary>
    /// Between two batches: every replaced head goes in, frames admitted but not yet preprocessed move to the new head
    /// (so none is lost or run twice), and the session's slot gets the new session and its warm-up latency model.
    /// Refused when a lane the swap did not prepare for runs the old session (a stream joined while it warmed up).
    /// </summary>
    internal void ApplySwitch(SessionSwitch change)
    {
        Interlocked.CompareExchange(ref waitingSwitch, null, change);
        var index = Array.FindIndex(sessions, session => ReferenceEquals(session, change.Old));
        if (index < 0 || change.Replacement.MaxBatch != sessions[index].MaxBatch)
        {
            change.Done.TrySetException(new InvalidOperationException("the session to replace is not one of the scheduler's, or the replacement's max batch differs"));
            return;
        }

        foreach (var lane in lanes)
        {
            for (var level = 0; level < lane.Pipeline.Heads.Count; level++)
            {
                if (ReferenceEquals(lane.Pipeline.Heads[level].Session, change.Old) && !change.Heads.Any(head => ReferenceEquals(head.Pipeline, lane.Pipeline) && head.Level == level))
                {
                    change.Done.TrySetException(new InvalidOperationException($"stream '{lane.Pipeline.Stream}' joined while the new model warmed up, so the swap has no head for it: expected the same streams, try again"));
                    return;
                }
            }
        }

        foreach (var (pipeline, level, _, replacement) in change.Heads)
        {
            pipeline.ReplaceHead(level, replacement);
            if (level == 0 && pipeline.HardFrames is { } hardFrames)
            {
                hardFrames.ModelSha256 = change.Bundle.Sha256; // frames offered from here on were scored by the new model
            }
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

    /// <summary>Frame thread, at a boundary: serves <paramref name="stream"/> from now on. Its lanes must run sessions the scheduler has.</summary>
    internal void Attach(ScheduledStream stream)
    {
        if (!ReferenceEquals(stream.Slot.Signal, signal))
        {
            throw new ArgumentException("the stream's slot does not wake the scheduler: make it with the scheduler's signal", nameof(stream));
        }

        if (FeedOf(stream.Slot) >= 0)
        {
            throw new ArgumentException("the stream is served already", nameof(stream));
        }

        foreach (var session in stream.Lanes.SelectMany(pipeline => pipeline.Sessions))
        {
            if (Array.IndexOf(sessions, session) < 0)
            {
                throw new InvalidOperationException("a lane of the new stream runs a session the scheduler does not (its model was swapped meanwhile): expected the running sessions, try again");
            }
        }

        var kept = Enumerable.Range(0, feeds.Length).Select(s => (Stream: Served(s), Feed: feeds[s]));
        Relayout([.. kept, (stream, new Feed(stream.Slot, 0, stream.Lanes.Count))]);
    }

    /// <summary>
    /// Frame thread, at a boundary: stops taking frames from the stream of <paramref name="slot"/> and, once its frame
    /// in flight is done (now, or at a later boundary), stops serving it: true then.
    /// </summary>
    internal bool TryDetach(FrameSlot slot)
    {
        var s = Require(slot);
        feeds[s].Leaving = true;
        if (feeds[s].Waiting > 0)
        {
            return false;
        }

        var leaving = Served(s);
        Relayout([.. Enumerable.Range(0, feeds.Length).Where(other => other != s).Select(other => (Served(other), feeds[other]))]);
        Volatile.Write(ref retiredPublished, retiredPublished + leaving.Lanes.Sum(lane => lane.Stats.Published));
        return true;
    }

    /// <summary>
    /// Frame thread: frames of a paused stream are still taken from its slot, but only counted and reported as paused.
    /// Returns whether it was paused before.
    /// </summary>
    internal bool SetPaused(FrameSlot slot, bool paused)
    {
        ref var feed = ref feeds[Require(slot)];
        var was = feed.Paused;
        feed.Paused = paused;
        return was;
    }

    /// <summary>Frame thread: the sequence number of the last frame taken from the stream of <paramref name="slot"/> (0 before any).</summary>
    internal long LastTaken(FrameSlot slot) => feeds[Require(slot)].LastTaken;

    /// <summary>
    /// Frame thread: the last frame of <paramref name="pipeline"/>'s stream that a change made now does not reach: the
    /// one before the frame it holds admitted, else the last one taken.
    /// </summary>
    internal long LastFrameBefore(FramePipeline pipeline)
    {
        foreach (var lane in lanes)
        {
            if (ReferenceEquals(lane.Pipeline, pipeline))
            {
                return lane.Pending ? lane.Frame.Frame.Sequence - 1 : feeds[lane.Feed].LastTaken;
            }
        }

        throw new ArgumentException($"stream '{pipeline.Stream}''s lane is not served by the scheduler", nameof(pipeline));
    }

    private ScheduledStream Served(int feed) => new(feeds[feed].Slot, [.. lanes.Skip(feeds[feed].FirstLane).Take(feeds[feed].LaneCount).Select(lane => lane.Pipeline)]);

    private int FeedOf(FrameSlot slot) => Array.FindIndex(feeds, feed => ReferenceEquals(feed.Slot, slot));

    private int Require(FrameSlot slot) =>
        FeedOf(slot) is var s and >= 0 ? s : throw new ArgumentException("the slot is not one of a stream the scheduler serves", nameof(slot));

    /// <summary>Rebuilds the feeds and lanes (keeping each stream's state and its lanes' frames in flight) and the per-lane scratch arrays.</summary>
    private void Relayout(List<(ScheduledStream Stream, Feed Feed)> streams)
    {
        var (newFeeds, newLanes) = Layout(streams, lanes);
        feeds = newFeeds;
        candidates = new int[newLanes.Length];
        deadlines = new long[newLanes.Length];
        Volatile.Write(ref lanes, newLanes);
    }

    /// <summary>Feeds and lanes for <paramref name="streams"/> in order; a lane already in <paramref name="current"/> keeps its state.</summary>
    private static (Feed[] Feeds, Lane[] Lanes) Layout(List<(ScheduledStream Stream, Feed Feed)> streams, Lane[] current)
    {
        var newFeeds = new Feed[streams.Count];
        var newLanes = new List<Lane>();
        for (var s = 0; s < streams.Count; s++)
        {
            var (stream, feed) = streams[s];
            newFeeds[s] = feed with { FirstLane = newLanes.Count, LaneCount = stream.Lanes.Count };
            foreach (var pipeline in stream.Lanes)
            {
                var existing = Array.FindIndex(current, lane => ReferenceEquals(lane.Pipeline, pipeline));
                newLanes.Add(existing >= 0 ? current[existing] with { Feed = s } : new Lane(pipeline, s));
            }
        }

        return (newFeeds, [.. newLanes]);
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
            if (feed.Waiting > 0 || feed.Leaving)
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

            if (state != SlotState.Taken)
            {
                continue;
            }

            feed.LastTaken = frame!.Sequence;
            if (feed.Paused)
            {
                Pass(ref feed, frame);
            }
            else
            {
                Admit(ref feed, frame);
            }
        }

        return open;
    }

    /// <summary>A paused stream's frame: every lane counts it and reports it as paused; nothing is inferred.</summary>
    private void Pass(ref Feed feed, Frame frame)
    {
        for (var l = feed.FirstLane; l < feed.FirstLane + feed.LaneCount; l++)
        {
            lanes[l].Pipeline.Pass(frame);
        }
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

    /// <summary>Stops the watchdog; changes still waiting are abandoned (call once no thread runs <see cref="RunOnce"/>).</summary>
    public void Dispose()
    {
        Stop();
        watchdog.Dispose();
    }

    private record struct Feed(FrameSlot Slot, int FirstLane, int LaneCount)
    {
        /// <summary>Lanes still to finish the stream's current frame; a new frame is taken only at 0.</summary>
        public int Waiting;
        public bool Ended;

        /// <summary>Frames are taken and reported as paused, not inferred.</summary>
        public bool Paused;

        /// <summary>The stream is being removed: no frame is taken any more.</summary>
        public bool Leaving;

        /// <summary>The sequence number of the last frame taken.</summary>
        public long LastTaken;
    }

    private record struct Lane(FramePipeline Pipeline, int Feed)
    {
        public bool Pending;
        public AdmittedFrame Frame;
        public long Deadline;
    }
}
