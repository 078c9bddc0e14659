using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Runtime.Inference;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Preprocessing;
using Edge.Runtime.Publishing;

namespace Edge.Testing;

/// <summary>A CPU session on the tiny fixture model (in a <see cref="TestBundle"/>) and pipelines built around it.</summary>
internal sealed class PipelineHarness : IDisposable
{
    private readonly TestBundle test;

    /// <param name="edit">Changes to the tiny bundle's manifest (a <c>rescoring</c> block, say) before it is loaded.</param>
    public PipelineHarness(Action<System.Text.Json.Nodes.JsonObject>? edit = null)
    {
        test = TestBundle.Create(edit);
        Bundle = test.Load();
        Session = ModelSession.Create(Bundle, ExecutionProviderChoice.Cpu, 1);
    }

    /// <summary>Device, stream and source of the harness's messages.</summary>
    public static MessageOrigin Origin { get; } = new("test-device", "cam0", "synthetic");

    public ModelBundle Bundle { get; }

    public ModelSession Session { get; }

    public FramePipeline CreatePipeline(TimeProvider time, IFrameOutput sink, double budgetMs, float smoothing = 0, int topK = 0)
    {
        var preprocessor = new ImagePreprocessor(Bundle.Input);
        var decoder = new MultiLabelDecoder(Bundle.Labels, Bundle.OutputKind, new DecoderOptions { Smoothing = smoothing, TopK = topK });
        var writer = new LabelSetWriter(Bundle.Labels, Origin, Bundle, Session.Report.Active);
        return new FramePipeline(Session, preprocessor, decoder, writer, [sink], new FrameBudget(budgetMs, time), time);
    }

    /// <summary>A pipeline with a miss policy, optional stage budgets, ladder, slow-stage hook and a second output for events.</summary>
    public FramePipeline CreatePipeline(TimeProvider time, IFrameOutput sink, double budgetMs, MissPolicy policy, StageBudgets? stages = null, DegradeOptions? degrade = null, IStageDelay? delay = null, IFrameOutput? events = null)
    {
        var decoder = new MultiLabelDecoder(Bundle.Labels, Bundle.OutputKind, new DecoderOptions());
        var primary = InferenceHead.For("tiny", Bundle, Session, decoder, Origin);
        (DegradeOptions, IReadOnlyList<InferenceHead>)? ladder = degrade is null
            ? null
            : (degrade, degrade.Ladder.Select(step => InferenceHead.For(step.Name, Bundle, Session, decoder, Origin)).ToList());
        return new FramePipeline(primary, events is null ? [sink] : [sink, events], new FrameBudget(budgetMs, time, stages), time, policy, ladder)
        {
            StageDelay = delay,
        };
    }

    public static Frame RandomFrame(int width, int height, int seed)
    {
        var frame = new Frame(width, height);
        new Random(seed).NextBytes(frame.PixelSpan);
        return frame;
    }

    public void Dispose()
    {
        Session.Dispose();
        test.Dispose();
    }
}
