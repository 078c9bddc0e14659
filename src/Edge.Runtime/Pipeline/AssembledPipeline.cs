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

/// <summary>One inference head of the run: its name (the configured model's is its bundle's name), the model running it now and its session.</summary>
public sealed record AssembledHead(string Name, ModelBundle Bundle, ModelSession Session);

/// <summary>
/// Everything a run labels frames with: the bundles, one warmed-up session per model shared by all streams (the
/// configured model, every further head's, and each degrade ladder step's own), and per stream one
/// <see cref="FramePipeline"/> lane per head, each with the stream's decoder state, budget and miss policy. Built the
/// same way for <c>edge run</c> and <c>edge bench</c>; <see cref="BatchScheduler"/> runs the lanes. Streams may join
/// and leave a running pipeline (<see cref="AssembleStream(StreamOptions)"/>, Control.RuntimeControl), and a head's model may be
/// swapped (<see cref="ModelSwap"/>): <see cref="Heads"/> and <see cref="Streams"/> say what runs now.
/// </summary>
public sealed class AssembledPipeline : IDisposable
{
    private readonly Lock gate = new();
    private readonly List<ModelSession> sessions;
    private readonly AssembledHead[] heads;
    private readonly HeadOptions?[] headOptions;
    private readonly Dictionary<string, (ModelBundle Bundle, ModelSession Session)> ladderSessions;
    private readonly IReadOnlyList<IFrameOutput> outputs;
    private readonly TimeProvider time;
    private readonly PipelineExtras extras;
    private AssembledStream[] streams = [];

    private AssembledPipeline(PipelineOptions settings, List<ModelSession> sessions, AssembledHead[] heads, HeadOptions?[] headOptions, Dictionary<string, (ModelBundle Bundle, ModelSession Session)> ladderSessions, IReadOnlyList<IFrameOutput> outputs, TimeProvider time, PipelineExtras extras, double firstInferenceMs)
    {
        Settings = settings;
        this.sessions = sessions;
        this.heads = heads;
        this.headOptions = headOptions;
        this.ladderSessions = ladderSessions;
        this.outputs = outputs;
        this.time = time;
        this.extras = extras;
        FirstInferenceMs = firstInferenceMs;
    }

    /// <summary>The options the pipeline was assembled from (its streams as configured; <see cref="Streams"/> says which run now).</summary>
    public PipelineOptions Settings { get; }

    /// <summary>The model the first head (the configured model's) runs now.</summary>
    public ModelBundle Bundle => Heads[0].Bundle;

    /// <summary>The first head's session.</summary>
    public ModelSession Session => Heads[0].Session;

    /// <summary>Every inference head, the configured model's first, with the model it runs now.</summary>
    public IReadOnlyList<AssembledHead> Heads
    {
        get
        {
            lock (gate)
            {
                return [.. heads];
            }
        }
    }

    /// <summary>Every session, the configured model's first.</summary>
    public IReadOnlyList<ModelSession> Sessions
    {
        get
        {
            lock (gate)
            {
                return [.. sessions];
            }
        }
    }

    /// <summary>The streams running now, in the order they joined.</summary>
    public IReadOnlyList<AssembledStream> Streams => Volatile.Read(ref streams);

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
        var models = HeadModels(settings, bundle);
        var sessions = new List<ModelSession>();
        try
        {
            var heads = new AssembledHead[models.Count];
            for (var h = 0; h < models.Count; h++)
            {
                var feeding = streams.Count(stream => Feeds(stream, models[h].Name));
                var session = ModelSession.Create(models[h].Bundle, settings.Ep, settings.Threads, bindMaps: extras.Locate && models[h].Bundle.MapsName is not null, tensorRt: settings.Tensorrt, cuda: settings.Cuda, spin: settings.CpuSpin, maxBatch: MaxBatch(settings, models[h].Bundle, feeding, refuseAbove: h == 0));
                sessions.Add(session);
                heads[h] = new AssembledHead(models[h].Name, models[h].Bundle, session);
            }

            var firstInference = WarmUp(sessions[0]);
            var ladderSessions = LadderSessions(settings, bundle, streams, extras, sessions);
            var assembled = new AssembledPipeline(settings, sessions, heads, [.. models.Select(model => model.Options)], ladderSessions, outputs, time, extras, firstInference);
            assembled.streams = [.. streams.Select((stream, s) => assembled.AssembleStream(stream, settings.Streams.Count > 0 ? $"streams[{s}]" : "stream", first: s == 0))];
            return assembled;
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

    /// <summary>
    /// The lanes of a stream joining the running pipeline: one per head it feeds, each running the head's session as it
    /// runs now (no model is loaded), with the run's decoding, stage budgets and outputs. The stream is not yet part of
    /// <see cref="Streams"/>: the caller attaches it once the scheduler serves it. Its degrade ladder, when its policy is
    /// degrade, needs the ladder's model sessions the run loaded at start.
    /// </summary>
    /// <exception cref="SettingException">A threshold names a label none of its heads has, a head is unknown, or the
    /// ladder's models were not loaded; keys are the stream's own fields (<c>thresholds.x</c>).</exception>
    public AssembledStream AssembleStream(StreamOptions stream) => AssembleStream(stream, key: null, first: false);

    /// <summary>A stream assembled by <see cref="AssembleStream(StreamOptions)"/> is served from now on.</summary>
    internal void Attach(AssembledStream stream)
    {
        lock (gate)
        {
            Volatile.Write(ref streams, [.. streams, stream]);
        }
    }

    /// <summary>A stream no longer served; its lanes are the caller's to dispose.</summary>
    internal void Detach(AssembledStream stream)
    {
        lock (gate)
        {
            Volatile.Write(ref streams, [.. streams.Where(one => !ReferenceEquals(one, stream))]);
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

    /// <summary>
    /// After a model swap (<see cref="ModelSwap"/>): <paramref name="replacement"/>, running <paramref name="bundle"/>,
    /// takes <paramref name="old"/>'s place for every head and ladder step that ran it (and streams assembled from now
    /// on), and is disposed with the run.
    /// </summary>
    internal void Replace(ModelSession old, ModelSession replacement, ModelBundle bundle)
    {
        lock (gate)
        {
            var index = sessions.IndexOf(old);
            if (index >= 0)
            {
                sessions[index] = replacement;
            }

            for (var h = 0; h < heads.Length; h++)
            {
                if (ReferenceEquals(heads[h].Session, old))
                {
                    heads[h] = heads[h] with { Bundle = bundle, Session = replacement };
                }
            }

            foreach (var (model, ladder) in ladderSessions.ToList())
            {
                if (ReferenceEquals(ladder.Session, old))
                {
                    ladderSessions[model] = (bundle, replacement);
                }
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

        foreach (var session in Sessions)
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

    /// <param name="key">The stream's settings key (<c>streams[2]</c>, <c>stream</c>); null for a stream added at run time, whose fields are named on their own.</param>
    private AssembledStream AssembleStream(StreamOptions stream, string? key, bool first)
    {
        string Key(string field) => key is null ? field : $"{key}.{field}";
        AssembledHead[] running;
        Dictionary<string, (ModelBundle Bundle, ModelSession Session)> ladder;
        lock (gate)
        {
            running = [.. heads];
            ladder = new(ladderSessions);
        }

        var fed = Enumerable.Range(0, running.Length).Where(h => Feeds(stream, running[h].Name)).ToList();
        if (key is null && stream.Heads?.FirstOrDefault(name => !running.Any(head => head.Name == name)) is { } unknown)
        {
            throw new SettingException(Key("heads"), unknown, $"one of the heads: {string.Join(", ", running.Select(head => head.Name))}");
        }

        ThresholdOverrides.RequireKnown(stream.Thresholds, [.. fed.Select(h => running[h].Bundle)], Key("thresholds"));
        var policy = stream.MissPolicy ?? Settings.MissPolicy;
        var budgetMs = stream.BudgetMs ?? Settings.BudgetMs;
        var origin = new MessageOrigin(Settings.Device, stream.Id, Edge.Camera.Sources.SourceSpec.MaskCredentials(stream.Source));
        var lanes = new List<FramePipeline>();
        foreach (var h in fed)
        {
            var head = running[h];
            var labels = ThresholdOverrides.Apply(head.Bundle.Labels, headOptions[h]?.Thresholds, $"heads[{h - 1}].thresholds", head.Bundle.Name);
            labels = ThresholdOverrides.Apply(labels, stream.Thresholds, Key("thresholds"), head.Bundle.Name, skipUnknown: true);

            // One decoder per stream and head, shared by the ladder's heads (InferenceHead says why).
            var decoder = new MultiLabelDecoder(labels, head.Bundle.OutputKind, new DecoderOptions { Smoothing = Settings.Smoothing, TopK = Settings.TopK });
            var primary = InferenceHead.For(head.Name, head.Bundle, head.Session, decoder, origin, labels);

            // The ladder steps down the configured model; a further head has none, so it flags its misses. The
            // configured model's lane gets its ladder under any policy when the ladder's models are loaded, so that
            // a running stream can be switched to degrade.
            var lanePolicy = policy == MissPolicy.Degrade && h > 0 ? MissPolicy.Flag : policy;
            var ladderLoaded = Settings.Degrade.Ladder.All(step => step.Model is null || ladder.ContainsKey(step.Model));
            if (lanePolicy == MissPolicy.Degrade && !ladderLoaded)
            {
                throw new SettingException(Key("miss_policy"), "degrade", "drop or flag", "needs the degrade ladder's models, which the run loaded only for streams that started with miss policy degrade");
            }

            (DegradeOptions, IReadOnlyList<InferenceHead>)? steps = h == 0 && ladderLoaded ? (Settings.Degrade, LadderHeads(Settings, head.Bundle, head.Session, ladder, decoder, origin, labels)) : null;
            var laneBudget = Math.Min(headOptions[h]?.BudgetMs ?? budgetMs, budgetMs);
            var isFirstLane = first && lanes.Count == 0;
            lanes.Add(new FramePipeline(primary, outputs, new FrameBudget(laneBudget, time, Settings.StageBudgets), time, lanePolicy, steps)
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
