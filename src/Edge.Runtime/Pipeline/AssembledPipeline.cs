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

    public FrameTimeline? Timeline { get; init; }

    public Func<bool>? Gate { get; init; }

    /// <summary>Creates the hard-frame capture for the loaded model (it needs the labels and hash), owned by the pipeline.</summary>
    public Func<ModelBundle, HardFrames.HardFrameCapture?>? HardFramesFor { get; init; }
}

/// <summary>
/// A <see cref="FramePipeline"/> with everything it owns: the bundle, one warmed-up session per model (the configured
/// one, and each ladder step's own under the degrade policy), the heads that run them, the stream's decoder and the
/// budget. Built the same way for
/// <c>edge run</c> and <c>edge bench</c>.
/// </summary>
public sealed class AssembledPipeline : IDisposable
{
    private readonly List<ModelSession> sessions;

    private AssembledPipeline(ModelBundle bundle, List<ModelSession> sessions, FramePipeline pipeline, double firstInferenceMs)
    {
        Bundle = bundle;
        this.sessions = sessions;
        Pipeline = pipeline;
        FirstInferenceMs = firstInferenceMs;
    }

    public ModelBundle Bundle { get; }

    /// <summary>The configured model's session (level 0).</summary>
    public ModelSession Session => sessions[0];

    public FramePipeline Pipeline { get; }

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

        var sessions = new List<ModelSession>();
        try
        {
            var session = ModelSession.Create(bundle, settings.Ep, settings.Threads, bindMaps: extras.Locate, tensorRt: settings.Tensorrt, cuda: settings.Cuda, spin: settings.CpuSpin);
            sessions.Add(session);
            var firstInference = WarmUp(session);
            // One decoder for the stream, shared by the ladder's heads (InferenceHead says why).
            var decoder = new MultiLabelDecoder(bundle.Labels, bundle.OutputKind, new DecoderOptions { Smoothing = settings.Smoothing, TopK = settings.TopK });
            var origin = new MessageOrigin(settings.Device, settings.Stream, Edge.Camera.Sources.SourceSpec.MaskCredentials(settings.Source));
            var primary = InferenceHead.For(bundle.Name, bundle, session, decoder, origin);
            (DegradeOptions, IReadOnlyList<InferenceHead>)? ladder = null;
            if (settings.MissPolicy == MissPolicy.Degrade)
            {
                var steps = new List<InferenceHead>();
                foreach (var step in settings.Degrade.Ladder)
                {
                    var stepBundle = step.Model is null ? bundle : LadderBundle(step, bundle);
                    var stepSession = session;
                    if (step.Model is not null)
                    {
                        stepSession = ModelSession.Create(stepBundle, settings.Ep, settings.Threads, bindMaps: extras.Locate && stepBundle.MapsName is not null, tensorRt: settings.Tensorrt, cuda: settings.Cuda, spin: settings.CpuSpin);
                        sessions.Add(stepSession);
                        WarmUp(stepSession);
                    }

                    steps.Add(InferenceHead.For(step.Name, stepBundle, stepSession, decoder, origin));
                }

                ladder = (settings.Degrade, steps);
            }

            var budget = new FrameBudget(settings.BudgetMs, time, settings.StageBudgets);
            var pipeline = new FramePipeline(primary, outputs, budget, time, settings.MissPolicy, ladder)
            {
                StageDelay = extras.StageDelay,
                Timeline = extras.Timeline,
                Gate = extras.Gate,
                HardFrames = extras.HardFramesFor?.Invoke(bundle),
            };
            return new AssembledPipeline(bundle, sessions, pipeline, firstInference);
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

    public void Dispose()
    {
        Pipeline.HardFrames?.Dispose();
        Pipeline.Dispose();
        foreach (var session in sessions)
        {
            session.Dispose();
        }
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
