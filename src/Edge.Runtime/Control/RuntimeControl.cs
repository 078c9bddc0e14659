using System.Globalization;
using Edge.Runtime.Budget;
using Edge.Runtime.Bundles;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Control;

/// <summary>
/// Changes a running pipeline from any thread (an HTTP request's): pause and resume a stream, its thresholds, its
/// budget and miss policy, streams joining and leaving, and a snapshot of it all (<see cref="Status"/>). Every change is
/// validated as the config file would be, before anything changes; then, optionally written back to the config file
/// (<see cref="WriteBack"/>), it is handed to the frame thread, which applies it between two batches
/// (<see cref="BatchScheduler"/>), so no frame is handled half under the old and half under the new settings. The
/// returned task completes once it is applied, or fails with a <see cref="ControlException"/> and nothing changed.
/// Changes are applied one at a time, in the order they were asked for.
/// </summary>
/// <remarks>
/// Cancelling a request before the frame thread took it withdraws it (an <see cref="OperationCanceledException"/>,
/// nothing changed); a change already written back to the config file is always carried through.
/// </remarks>
public sealed partial class RuntimeControl
{
    /// <summary>End-to-end percentiles in <see cref="Status"/> are over each lane's most recent published frames, this many.</summary>
    public const int LatencyWindow = 1024;

    private const double MinBudgetMs = 1;
    private const double MaxBudgetMs = 60_000;

    private readonly AssembledPipeline pipeline;
    private readonly BatchScheduler scheduler;
    private readonly TimeProvider time;

    // One change at a time: each is computed from the settings in force, which the previous one may have changed.
    private readonly SemaphoreSlim changes = new(1, 1);

    // Guards the list and each stream's settings in force, for Status() on any thread.
    private readonly Lock gate = new();
    private readonly List<ControlledStream> streams;

    /// <param name="cameras">Each stream's camera, in the order of <paramref name="pipeline"/>'s streams.</param>
    public RuntimeControl(AssembledPipeline pipeline, BatchScheduler scheduler, IReadOnlyList<IStreamCamera> cameras, TimeProvider time)
    {
        var assembled = pipeline.Streams;
        if (cameras.Count != assembled.Count)
        {
            throw new ArgumentException($"{cameras.Count} cameras for {assembled.Count} streams", nameof(cameras));
        }

        streams = [];
        for (var s = 0; s < assembled.Count; s++)
        {
            if (cameras[s].Stream != assembled[s].Id)
            {
                throw new ArgumentException($"camera {s} is stream '{cameras[s].Stream}''s, expected stream '{assembled[s].Id}''s", nameof(cameras));
            }

            streams.Add(new ControlledStream(assembled[s], cameras[s], pipeline.Settings));
        }

        this.pipeline = pipeline;
        this.scheduler = scheduler;
        this.time = time;
        Swap = new ModelSwap(scheduler, pipeline, time);
    }

    /// <summary>Where a change asked to be persisted is written; null when the run has no config file to write to.</summary>
    public IConfigWriteBack? WriteBack { get; init; }

    /// <summary>Makes the camera of a stream added at run time; null when streams cannot be added.</summary>
    public StreamCameraFactory? CameraFactory { get; init; }

    /// <summary>Swaps a head's model while frames flow (one swap at a time).</summary>
    public ModelSwap Swap { get; }

    /// <summary>The streams running now, in the order they joined.</summary>
    public IReadOnlyList<string> StreamIds
    {
        get
        {
            lock (gate)
            {
                return [.. streams.Select(stream => stream.Id)];
            }
        }
    }

    /// <summary>The cameras of the streams running now, in the order the streams joined.</summary>
    public IReadOnlyList<IStreamCamera> Cameras
    {
        get
        {
            lock (gate)
            {
                return [.. streams.Select(stream => stream.Camera)];
            }
        }
    }

    /// <summary>The camera of a running stream, or null.</summary>
    public IStreamCamera? CameraOf(string stream)
    {
        lock (gate)
        {
            return streams.FirstOrDefault(one => one.Id == stream)?.Camera;
        }
    }

    /// <summary>
    /// From the next frame taken on, the stream's frames are still taken from its camera (so it, and anyone watching
    /// it, keeps going) but get no inference and publish no label set; each is reported as
    /// <see cref="FrameOutcome.Paused"/> and counted in <see cref="PipelineStats.Paused"/>. Pausing a paused stream
    /// changes nothing.
    /// </summary>
    public Task<PauseResult> PauseAsync(string stream, CancellationToken cancellationToken = default) =>
        SetPausedAsync(stream, paused: true, cancellationToken);

    /// <summary>
    /// From the next frame taken on, the stream's frames are labelled again. The scene moved on while it was paused,
    /// so its decoders forget their history (smoothing, hysteresis); label changes are reported against the last label
    /// set published before the pause.
    /// </summary>
    public Task<PauseResult> ResumeAsync(string stream, CancellationToken cancellationToken = default) =>
        SetPausedAsync(stream, paused: false, cancellationToken);

    /// <summary>
    /// Sets per-label thresholds and off thresholds (hysteresis) on the lanes of <paramref name="stream"/>: every head
    /// it feeds (a label applies to the heads whose model has it), or only <paramref name="head"/>. Validated like the
    /// config file's <c>thresholds</c>: each threshold from 0 to 1, each off threshold from 0 up to its threshold (left
    /// out, it keeps the label's gap between the two), every label known. All of them take effect from the same frame on.
    /// </summary>
    /// <param name="persist">Also write them into the stream's <c>thresholds</c> in the config file (not with a <paramref name="head"/>).</param>
    /// <returns>Every label's thresholds now in force, per head.</returns>
    public Task<ThresholdsResult> SetThresholdsAsync(string stream, string? head, IReadOnlyDictionary<string, ThresholdOverride> thresholds, bool persist = false, CancellationToken cancellationToken = default) =>
        OneAtATime(() => SetThresholdsCore(stream, head, thresholds, persist, cancellationToken), cancellationToken);

    /// <summary>
    /// Sets the stream's end-to-end budget and/or miss policy (null: keep). The budget is validated like the config
    /// file's (1 to 60000 ms, no less than a stage budget or a head's own budget); a head keeps the tighter of its own
    /// budget and the stream's. Drop and flag can always be chosen; degrade only where the configured model's lane has
    /// a degrade ladder (its models loaded at start). Frames taken from now on get the new budget.
    /// </summary>
    /// <param name="persist">Also write them into the config file (the stream's entry, or the top-level keys of a single-stream file).</param>
    public Task<BudgetResult> SetBudgetAsync(string stream, double? budgetMs, MissPolicy? policy, bool persist = false, CancellationToken cancellationToken = default) =>
        OneAtATime(() => SetBudgetCore(stream, budgetMs, policy, persist, cancellationToken), cancellationToken);

    /// <summary>A snapshot of the pipeline now: heads and models, each stream and lane, totals. Safe from any thread.</summary>
    public RuntimeStatus Status()
    {
        var now = time.GetTimestamp();
        var frequency = time.TimestampFrequency;
        var heads = pipeline.Heads;
        List<(ControlledStream Stream, bool Paused, double BudgetMs, MissPolicy Policy)> current;
        lock (gate)
        {
            current = [.. streams.Select(stream => (stream, stream.Paused, stream.BudgetMs, stream.Policy))];
        }

        var streamStatus = new List<StreamStatus>();
        foreach (var (stream, paused, budgetMs, policy) in current)
        {
            var lanes = new List<LaneStatus>();
            foreach (var lane in stream.Assembled.Lanes)
            {
                var stats = lane.Stats;
                var headName = lane.Heads[0].Name;
                lanes.Add(new LaneStatus(
                    headName,
                    heads.FirstOrDefault(head => head.Name == headName)?.Bundle.Name ?? headName,
                    lane.Budget.BudgetMs,
                    lane.Policy.Name(),
                    lane.Level,
                    lane.Head.Name,
                    stats.Published,
                    stats.Missed,
                    stats.DroppedStale,
                    stats.PredictedMisses,
                    stats.Paused,
                    stats.PublishRate.PerSecond(now, frequency),
                    Milliseconds(stats.EndToEnd.RecentPercentile(0.5, LatencyWindow)),
                    Milliseconds(stats.EndToEnd.RecentPercentile(0.99, LatencyWindow))));
            }

            var camera = stream.Camera;
            streamStatus.Add(new StreamStatus(stream.Id, camera.Source, camera.IsConnected, paused, camera.Captured, camera.Overwritten, budgetMs, policy.Name(), lanes));
        }

        var allLanes = streamStatus.SelectMany(stream => stream.Heads).ToList();
        var totals = new StatusTotals(
            streamStatus.Count,
            streamStatus.Sum(stream => stream.Captured),
            allLanes.Sum(lane => lane.Published),
            allLanes.Sum(lane => lane.Missed),
            allLanes.Sum(lane => lane.DroppedStale),
            allLanes.Sum(lane => lane.Fps));
        return new RuntimeStatus(
            pipeline.Settings.Device,
            [.. heads.Select(head => new HeadStatus(head.Name, head.Bundle.Name, head.Bundle.Precision, head.Bundle.Sha256[..Math.Min(12, head.Bundle.Sha256.Length)], head.Session.Report.Active, head.Session.MaxBatch))],
            streamStatus,
            totals);
    }

    private Task<PauseResult> SetPausedAsync(string id, bool paused, CancellationToken cancellationToken) =>
        OneAtATime(
            async () =>
            {
                var stream = Find(id);
                var slot = stream.Camera.Slot;
                var lanes = stream.Assembled.Lanes;
                var result = await ApplyAsync(
                    new BoundaryTask<PauseResult>(frames =>
                    {
                        var before = frames.LastTaken(slot);
                        if (frames.SetPaused(slot, paused) && !paused)
                        {
                            foreach (var lane in lanes)
                            {
                                lane.ForgetHistory();
                            }
                        }

                        return new PauseResult(id, paused, before);
                    }),
                    cancellationToken).ConfigureAwait(false);
                lock (gate)
                {
                    stream.Paused = paused;
                }

                return result;
            },
            cancellationToken);

    private async Task<ThresholdsResult> SetThresholdsCore(string id, string? head, IReadOnlyDictionary<string, ThresholdOverride> thresholds, bool persist, CancellationToken cancellationToken)
    {
        var stream = Find(id);
        var lanes = stream.Assembled.Lanes;
        var targets = head is null ? [.. Enumerable.Range(0, lanes.Count)] : new[] { LaneOf(stream, head) };
        if (thresholds.Count == 0)
        {
            throw new ControlException(ControlErrorKind.Invalid, $"stream '{id}': no thresholds given: expected at least one label with its threshold");
        }

        var updated = new IReadOnlyList<LabelThreshold>[lanes.Count];
        try
        {
            StreamRules.ValidateThresholds("thresholds", thresholds);
            if (head is null)
            {
                ThresholdOverrides.RequireKnown(thresholds, stream.Thresholds, "thresholds");
            }

            var models = pipeline.Heads;
            foreach (var l in targets)
            {
                var headName = lanes[l].Heads[0].Name;
                var model = models.FirstOrDefault(one => one.Name == headName)?.Bundle.Name ?? headName;
                updated[l] = ThresholdOverrides.Apply(stream.Thresholds[l], thresholds, "thresholds", model, skipUnknown: head is null);
            }
        }
        catch (SettingException setting)
        {
            throw ControlException.Invalid(id, setting);
        }

        if (persist)
        {
            if (head is not null)
            {
                throw new ControlException(ControlErrorKind.Conflict, $"stream '{id}': the thresholds of one head cannot be written to the config file, which keeps them per stream and per head: expected no head, or persist false");
            }

            RequireWriteBack().SetThresholds(id, thresholds);
        }

        var result = await ApplyAsync(
            new BoundaryTask<ThresholdsResult>(frames =>
            {
                var changed = new List<HeadThresholds>();
                foreach (var l in targets)
                {
                    var before = frames.LastFrameBefore(lanes[l]);
                    lanes[l].SetThresholds(updated[l]);
                    changed.Add(new HeadThresholds(lanes[l].Heads[0].Name, before, [.. updated[l].Select(label => new LabelThresholdStatus(label.Name, label.On, label.Off))]));
                }

                return new ThresholdsResult(id, changed);
            }),
            persist ? CancellationToken.None : cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            foreach (var l in targets)
            {
                stream.Thresholds[l] = updated[l];
            }
        }

        return result;
    }

    private async Task<BudgetResult> SetBudgetCore(string id, double? budgetMs, MissPolicy? policy, bool persist, CancellationToken cancellationToken)
    {
        var stream = Find(id);
        if (budgetMs is null && policy is null)
        {
            throw new ControlException(ControlErrorKind.Invalid, $"stream '{id}': neither a budget nor a miss policy given: expected budget_ms, miss_policy or both");
        }

        var lanes = stream.Assembled.Lanes;
        var budget = budgetMs ?? stream.BudgetMs;
        var newPolicy = policy ?? stream.Policy;
        try
        {
            ValidateBudget(budget, [.. lanes.Select(lane => lane.Heads[0].Name)]);
        }
        catch (SettingException setting)
        {
            throw ControlException.Invalid(id, setting);
        }

        if (newPolicy == MissPolicy.Degrade && !lanes.Any(lane => lane.HasLadder))
        {
            throw new ControlException(ControlErrorKind.Conflict, $"stream '{id}' has no degrade ladder (its ladder's models were loaded only for streams that started with miss policy degrade, and only the configured model has one): expected drop or flag");
        }

        var settings = lanes.Select(lane => (
            Budget: new FrameBudget(Math.Min(HeadBudgetMs(lane) ?? budget, budget), time, pipeline.Settings.StageBudgets),
            Policy: newPolicy == MissPolicy.Degrade && !lane.HasLadder ? MissPolicy.Flag : newPolicy)).ToList();
        if (persist)
        {
            RequireWriteBack().SetBudget(id, budgetMs, policy);
        }

        var result = await ApplyAsync(
            new BoundaryTask<BudgetResult>(frames =>
            {
                var heads = new List<HeadBudget>();
                for (var l = 0; l < lanes.Count; l++)
                {
                    var before = frames.LastFrameBefore(lanes[l]);
                    lanes[l].Retune(settings[l].Budget, settings[l].Policy);
                    heads.Add(new HeadBudget(lanes[l].Heads[0].Name, settings[l].Budget.BudgetMs, settings[l].Policy.Name(), before));
                }

                return new BudgetResult(id, budget, newPolicy.Name(), heads);
            }),
            persist ? CancellationToken.None : cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            stream.BudgetMs = budget;
            stream.Policy = newPolicy;
        }

        return result;
    }

    /// <summary>1 to 60000 ms, and no less than a stage budget or the own budget of a head the stream feeds (the config file's rules).</summary>
    private void ValidateBudget(double budget, IReadOnlyList<string> fedHeads)
    {
        if (!(budget >= MinBudgetMs && budget <= MaxBudgetMs))
        {
            throw new SettingException("budget_ms", budget, "a number from 1 to 60000");
        }

        var floors = new List<(string Key, double Ms)>();
        foreach (var stage in (ReadOnlySpan<PipelineStage>)[PipelineStage.Queue, PipelineStage.Preprocess, PipelineStage.Inference, PipelineStage.Decode])
        {
            if (pipeline.Settings.StageBudgets.Of(stage) is { } ms)
            {
                floors.Add(($"stage_budgets_ms.{stage.ToString().ToLowerInvariant()}", ms));
            }
        }

        var heads = pipeline.Settings.Heads;
        for (var h = 0; h < heads.Count; h++)
        {
            if (heads[h].BudgetMs is { } ms && fedHeads.Contains(heads[h].Name))
            {
                floors.Add(($"heads[{h}].budget_ms", ms));
            }
        }

        if (floors.Count > 0 && floors.MaxBy(floor => floor.Ms) is var (key, floorMs) && budget < floorMs)
        {
            throw new SettingException("budget_ms", budget, string.Create(CultureInfo.InvariantCulture, $"a number from {floorMs} ({key}) to 60000"));
        }
    }

    /// <summary>The head's own budget (<c>heads[i].budget_ms</c>), or null: the configured model's head has none.</summary>
    private double? HeadBudgetMs(FramePipeline lane) =>
        pipeline.Settings.Heads.FirstOrDefault(head => head.Name == lane.Heads[0].Name)?.BudgetMs;

    private IConfigWriteBack RequireWriteBack() =>
        WriteBack ?? throw new ControlException(ControlErrorKind.Conflict, "the run has no config file to write changes back to (it was started without --config): expected persist false");

    private ControlledStream Find(string id)
    {
        lock (gate)
        {
            return streams.FirstOrDefault(stream => stream.Id == id)
                ?? throw new ControlException(ControlErrorKind.NotFound, $"no stream is named '{id}': expected one of [{string.Join(", ", streams.Select(stream => stream.Id))}]");
        }
    }

    private static int LaneOf(ControlledStream stream, string head)
    {
        var lanes = stream.Assembled.Lanes;
        for (var l = 0; l < lanes.Count; l++)
        {
            if (lanes[l].Heads[0].Name == head)
            {
                return l;
            }
        }

        throw new ControlException(ControlErrorKind.NotFound, $"stream '{stream.Id}' feeds no head named '{head}': expected one of [{string.Join(", ", lanes.Select(lane => lane.Heads[0].Name))}]");
    }

    /// <summary>Runs <paramref name="change"/> once every change asked for earlier is done.</summary>
    private async Task<T> OneAtATime<T>(Func<Task<T>> change, CancellationToken cancellationToken)
    {
        await changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await change().ConfigureAwait(false);
        }
        finally
        {
            changes.Release();
        }
    }

    /// <summary>
    /// Hands <paramref name="change"/> to the frame thread and waits until it is applied. Cancelled before the frame
    /// thread took it, it is withdrawn (nothing changed); once taken, it is waited for.
    /// </summary>
    private async Task<T> ApplyAsync<T>(BoundaryTask<T> change, CancellationToken cancellationToken)
        where T : class
    {
        if (scheduler.Stopped)
        {
            throw new ControlException(ControlErrorKind.Unavailable, "the pipeline has stopped: expected a running pipeline");
        }

        scheduler.Post(change);
        try
        {
            return await change.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (scheduler.Withdraw(change))
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return await change.Done.Task.ConfigureAwait(false);
        }
    }

    private static double? Milliseconds(double ms) => double.IsNaN(ms) ? null : Math.Round(ms, 3);

    /// <summary>A running stream and the settings in force on it, as the control changed them (guarded by <see cref="gate"/>).</summary>
    private sealed class ControlledStream(AssembledStream assembled, IStreamCamera camera, PipelineOptions settings)
    {
        public AssembledStream Assembled { get; } = assembled;

        public IStreamCamera Camera { get; } = camera;

        public string Id => Assembled.Id;

        public bool Paused { get; set; }

        public double BudgetMs { get; set; } = assembled.Options.BudgetMs ?? settings.BudgetMs;

        public MissPolicy Policy { get; set; } = assembled.Options.MissPolicy ?? settings.MissPolicy;

        /// <summary>Per lane, the thresholds in force (read from the decoders before frames flow, then kept here).</summary>
        public IReadOnlyList<LabelThreshold>[] Thresholds { get; } = [.. assembled.Lanes.Select(lane => (IReadOnlyList<LabelThreshold>)[.. lane.Heads[0].Decoder.Thresholds])];
    }
}
