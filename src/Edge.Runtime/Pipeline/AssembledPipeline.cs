using Edge.Runtime.Budget;
using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Runtime.Inference;
using Edge.Runtime.Options;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Pipeline;

/// <summary>Extras for <c>AssembledPipeline.Create</c> beyond the pipeline options.</summary>
public sealed record PipelineExtras
{
    /// <summary>Bind the activation maps and publish label locations.</summary>
    public bool Locate { get; init; }

    public IStageDelay? StageDelay { get; init; }

    /// <summary>Records the first stream's first head (single-stream benchmarks).</summary>
    public FrameTimeline? Timeline { get; init; }

    public Func<bool>? Gate { get; init; }

    /// <summary>Creates a stream's hard-frame capture for the configured model (it needs the labels and hash), owned by that stream's first lane.</summary>
    public Func<ModelBundle, string, HardFrames.HardFrameCapture?>? HardFramesFor { get; init; }
}

/// <summary>One stream of the run: its options and one lane (a <see cref="FramePipeline"/>) per inference head it feeds.</summary>
public sealed record AssembledStream(StreamOptions Options, IReadOnlyList<FramePipeline> Lanes)
{
    public string Id => Options.Id;
}

/// <summary>
/// Everything a run labels frames with: the bundles, one warmed-up session per model shared by all streams (the
/// configured model, every further head's, and each degrade ladder step's own), and per stream one
/// <see cref="FramePipeline"/> lane per head, each with the stream's decoder state, budget and miss policy. Built the
/// same way for <c>edge run</c> and <c>edge bench</c>; <see cref="BatchScheduler"/> runs the lanes.
/// </summary>
public sealed class AssembledPipeline : IDisposable
{
    private readonly List<ModelSession> sessions;

    private AssembledPipeline(ModelBundle bundle, List<ModelSession> sessions, IReadOnlyList<AssembledStream> streams, double firstInferenceMs)
    {
        Bundle = bundle;
        this.sessions = sessions;
        Streams = streams;
        FirstInferenceMs = firstInferenceMs;
    }

    /// <summary>The configured model (the first head).</summary>
    public ModelBundle Bundle { get; }

    /// <summary>The configured model's session.</summary>
    public ModelSession Session => sessions[0];

    /// <summary>Every session, the configured model's first.</summary>
    public IReadOnlyList<ModelSession> Sessions => sessions;

    public IReadOnlyList<AssembledStream> Streams { get; }

    /// <summary>The first stream's first lane: the whole pipeline of a single-stream, single-head run.</summary>
    public FramePipeline Pipeline => Streams[0].Lanes[0];

    /// <summary>Every lane of every stream.</summary>
    public IEnumerable<FramePipeline> Lanes => Streams.SelectMany(stream => stream.Lanes);

    /// <summary>The configured model's first run (ONNX Runtime's one-off costs), measured at start and kept out of frames.</summary>
    public double FirstInferenceMs { get; }

    public static AssembledPipeline Create(PipelineOptions settings, IReadOnlyList<IFrameOutput> outputs, TimeProvider time, PipelineExtras? extras = null) =>
        Create(settings, ModelBundle.Load(settings.Model), outputs, time, extras);

    /// <summary>With the configured model's bundle already loaded (and its hash verified) by the caller.</summary>
    public static AssembledPipeline Create(PipelineOptions settings, ModelBundle bundle, IReadOnlyList<IFrameOutput> outputs, TimeProvider time, PipelineExtras? extras = null)
    {
        extras ??= new PipelineExtras();
        if (extras.Locate && bundle.MapsName is null)
        {
            throw new SettingException("locate", null, "a model with a CSRA head, such as the bundled one", $"needs activation maps, but model '{bundle.Name}' names none (manifest field 'output.maps')");
        }

        settings.ValidateHeadReferences(bundle.Name);
        var streams = settings.EffectiveStreams();
        var heads = HeadModels(settings, bundle);
        var sessions = new List<ModelSession>();
        try
        {
            var headSessions = new ModelSession[heads.Count];
            for (var h = 0; h < heads.Count; h++)
            {
                var feeding = streams.Count(stream => Feeds(stream, heads[h].Name));
                headSessions[h] = ModelSession.Create(heads[h].Bundle, settings.Ep, settings.Threads, bindMaps: extras.Locate && heads[h].Bundle.MapsName is not null, tensorRt: settings.Tensorrt, cuda: settings.Cuda, spin: settings.CpuSpin, maxBatch: MaxBatch(settings, heads[h].Bundle, feeding, refuseAbove: h == 0));
                sessions.Add(headSessions[h]);
            }

            var firstInference = WarmUp(sessions[0]);
            var ladderSessions = LadderSessions(settings, bundle, streams, extras, sessions);
            var assembled = new List<AssembledStream>();
            for (var s = 0; s < streams.Count; s++)
            {
                assembled.Add(AssembleStream(settings, streams[s], s, heads, headSessions, ladderSessions, outputs, time, extras, first: s == 0));
            }

            return new AssembledPipeline(bundle, sessions, assembled, firstInference);
        }
        catch
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }

            throw;
        }
    }

    /// <summary>Runs the model once on a blank input so the first frame does not pay ONNX Runtime's first-run costs.</summary>
    public static double WarmUp(ModelSession session)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Array.Clear(session.Input);
        session.Run();
        return System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>After a model swap (<see cref="ModelSwap"/>): <paramref name="replacement"/> takes <paramref name="old"/>'s place, and is disposed with the run.</summary>
    internal void Replace(ModelSession old, ModelSession replacement)
    {
        lock (sessions)
        {
            var index = sessions.IndexOf(old);
            if (index >= 0)
            {
                sessions[index] = replacement;
            }
        }
    }

    public void Dispose()
    {
        foreach (var lane in Lanes)
        {
            lane.HardFrames?.Dispose();
            lane.Dispose();
        }

        foreach (var session in sessions)
        {
            session.Dispose();
        }
    }

    private sealed record HeadModel(string Name, ModelBundle Bundle, HeadOptions? Options);

    /// <summary>The configured model (named after its bundle), then every further head's, each loaded once.</summary>
    private static List<HeadModel> HeadModels(PipelineOptions settings, ModelBundle bundle)
    {
        // Names were checked by PipelineOptions.Validate and ValidateHeadReferences: unique, and none the configured model's.
        return [new(bundle.Name, bundle, null), .. settings.Heads.Select(head => new HeadModel(head.Name, ModelBundle.Load(head.Model), head))];
    }

    private static bool Feeds(StreamOptions stream, string head) => stream.Heads is null || stream.Heads.Contains(head);

    /// <summary>
    /// The session's batch: max_batch (0: the bundle's maximum), never above the bundle's maximum, and no more than the
    /// streams that feed it can fill. Above the configured model's maximum is refused; a further head's smaller maximum caps it.
    /// </summary>
    private static int MaxBatch(PipelineOptions settings, ModelBundle bundle, int feeding, bool refuseAbove)
    {
        if (refuseAbove && settings.MaxBatch > bundle.Batch.Max)
        {
            throw new SettingException("max_batch", settings.MaxBatch, $"at most model '{bundle.Name}''s maximum batch, {bundle.Batch.Max} (its manifest's batch.max)");
        }

        var wanted = settings.MaxBatch > 0 ? Math.Min(settings.MaxBatch, bundle.Batch.Max) : bundle.Batch.Max;
        return Math.Max(1, Math.Min(wanted, feeding));
    }

    /// <summary>Each ladder step's model, loaded, checked against the configured model and given one session shared by every stream.</summary>
    private static Dictionary<string, (ModelBundle Bundle, ModelSession Session)> LadderSessions(PipelineOptions settings, ModelBundle bundle, IReadOnlyList<StreamOptions> streams, PipelineExtras extras, List<ModelSession> sessions)
    {
        var ladder = new Dictionary<string, (ModelBundle, ModelSession)>();
        if (!streams.Any(stream => (stream.MissPolicy ?? settings.MissPolicy) == MissPolicy.Degrade))
        {
            return ladder;
        }

        foreach (var step in settings.Degrade.Ladder)
        {
            if (step.Model is null || ladder.ContainsKey(step.Model))
            {
                continue;
            }

            var stepBundle = LadderBundle(step, bundle);
            var session = ModelSession.Create(stepBundle, settings.Ep, settings.Threads, bindMaps: extras.Locate && stepBundle.MapsName is not null, tensorRt: settings.Tensorrt, cuda: settings.Cuda, spin: settings.CpuSpin, maxBatch: Math.Max(1, Math.Min(stepBundle.Batch.Max, streams.Count)));
            sessions.Add(session);
            WarmUp(session);
            ladder[step.Model] = (stepBundle, session);
        }

        return ladder;
    }

    private static AssembledStream AssembleStream(PipelineOptions settings, StreamOptions stream, int index, List<HeadModel> heads, ModelSession[] headSessions, Dictionary<string, (ModelBundle Bundle, ModelSession Session)> ladderSessions, IReadOnlyList<IFrameOutput> outputs, TimeProvider time, PipelineExtras extras, bool first)
    {
        var key = settings.Streams.Count > 0 ? $"streams[{index}]" : "stream";
        var fed = Enumerable.Range(0, heads.Count).Where(h => Feeds(stream, heads[h].Name)).ToList();
        ThresholdOverrides.RequireKnown(stream.Thresholds, [.. fed.Select(h => heads[h].Bundle)], $"{key}.thresholds");
        var policy = stream.MissPolicy ?? settings.MissPolicy;
        var budgetMs = stream.BudgetMs ?? settings.BudgetMs;
        var origin = new MessageOrigin(settings.Device, stream.Id, Edge.Camera.Sources.SourceSpec.MaskCredentials(stream.Source));
        var lanes = new List<FramePipeline>();
        foreach (var h in fed)
        {
            var head = heads[h];
            var labels = ThresholdOverrides.Apply(head.Bundle.Labels, head.Options?.Thresholds, $"heads[{h - 1}].thresholds", head.Bundle.Name);
            labels = ThresholdOverrides.Apply(labels, stream.Thresholds, $"{key}.thresholds", head.Bundle.Name, skipUnknown: true);

            // One decoder per stream and head, shared by the ladder's heads (InferenceHead says why).
            var decoder = new MultiLabelDecoder(labels, head.Bundle.OutputKind, new DecoderOptions { Smoothing = settings.Smoothing, TopK = settings.TopK });
            var primary = InferenceHead.For(head.Name, head.Bundle, headSessions[h], decoder, origin, labels);

            // The ladder steps down the configured model; a further head has no ladder, so it flags its misses.
            var lanePolicy = policy == MissPolicy.Degrade && h > 0 ? MissPolicy.Flag : policy;
            (DegradeOptions, IReadOnlyList<InferenceHead>)? ladder = lanePolicy == MissPolicy.Degrade ? (settings.Degrade, LadderHeads(settings, head.Bundle, headSessions[h], ladderSessions, decoder, origin, labels)) : null;
            var laneBudget = Math.Min(head.Options?.BudgetMs ?? budgetMs, budgetMs);
            var isFirstLane = first && lanes.Count == 0;
            lanes.Add(new FramePipeline(primary, outputs, new FrameBudget(laneBudget, time, settings.StageBudgets), time, lanePolicy, ladder)
            {
                StageDelay = extras.StageDelay,
                Timeline = isFirstLane ? extras.Timeline : null,
                Gate = extras.Gate,
                HardFrames = h == 0 ? extras.HardFramesFor?.Invoke(head.Bundle, stream.Id) : null,
            });
        }

        return new AssembledStream(stream, lanes);
    }

    private static List<InferenceHead> LadderHeads(PipelineOptions settings, ModelBundle bundle, ModelSession session, Dictionary<string, (ModelBundle Bundle, ModelSession Session)> ladderSessions, MultiLabelDecoder decoder, MessageOrigin origin, IReadOnlyList<LabelThreshold> labels)
    {
        var steps = new List<InferenceHead>();
        foreach (var step in settings.Degrade.Ladder)
        {
            var (stepBundle, stepSession) = step.Model is null ? (bundle, session) : ladderSessions[step.Model];
            steps.Add(InferenceHead.For(step.Name, stepBundle, stepSession, decoder, origin, labels));
        }

        return steps;
    }

    /// <summary>A ladder step's bundle, which must tag the same labels in the same order as the configured model.</summary>
    private static ModelBundle LadderBundle(LadderStep step, ModelBundle primary)
    {
        var bundle = ModelBundle.Load(step.Model!);
        var expected = primary.Labels.Select(label => label.Name);
        var actual = bundle.Labels.Select(label => label.Name);
        if (!expected.SequenceEqual(actual, StringComparer.Ordinal))
        {
            throw new ModelBundleException($"degrade ladder step '{step.Name}': model '{bundle.Name}' has labels [{string.Join(", ", actual)}] but the configured model has [{string.Join(", ", expected)}]: a ladder model must tag the same labels in the same order");
        }

        if (bundle.OutputKind != primary.OutputKind)
        {
            throw new ModelBundleException($"degrade ladder step '{step.Name}': model '{bundle.Name}' outputs {bundle.OutputKind} but the configured model outputs {primary.OutputKind}: expected the same output kind");
        }

        return bundle;
    }
}
