using System.Globalization;
using Edge.Runtime.Budget;
using Edge.Runtime.Inference;
using Edge.Runtime.Inference.TensorRt;
using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Options;

/// <summary>
/// What a frame pipeline is built from (<see cref="Pipeline.AssembledPipeline"/>): the model, where frames come from,
/// the budget and what to do on a miss, the execution provider and decoding. Defaults are the documented ones
/// (docs/configuration.md); <see cref="Validate"/> holds every range in one place.
/// </summary>
public record PipelineOptions
{
    /// <summary>Model bundle folder.</summary>
    public required string Model { get; init; }

    /// <summary>Frame source, as <c>--source</c> takes it (credentials are masked wherever it is shown).</summary>
    public required string Source { get; init; }

    /// <summary>End-to-end budget from capture to publish, 1 to 60000 ms.</summary>
    public double BudgetMs { get; init; } = 100;

    public ExecutionProviderChoice Ep { get; init; } = ExecutionProviderChoice.Auto;

    /// <summary>ONNX Runtime intra-op threads, 0 (its default) to 256.</summary>
    public int Threads { get; init; }

    public CpuSpin CpuSpin { get; init; } = CpuSpin.Always;

    /// <summary>Device id written into every message.</summary>
    public required string Device { get; init; }

    /// <summary>Stream id written into every message and event (<see cref="StreamId"/>).</summary>
    public string Stream { get; init; } = StreamId.Default;

    /// <summary>Exponential smoothing of scores across frames, 0 (off) up to but excluding 1.</summary>
    public float Smoothing { get; init; }

    /// <summary>At most this many active labels per frame, 0 (no cap) to 10000.</summary>
    public int TopK { get; init; }

    public MissPolicy MissPolicy { get; init; } = MissPolicy.Flag;

    /// <summary>Per-stage budgets, each 0.1 ms up to <see cref="BudgetMs"/>.</summary>
    public StageBudgets StageBudgets { get; init; } = StageBudgets.None;

    public DegradeOptions Degrade { get; init; } = new();

    /// <summary>The camera streams; empty means one stream, <see cref="Stream"/>, reading <see cref="Source"/>.</summary>
    public IReadOnlyList<StreamOptions> Streams { get; init; } = [];

    /// <summary>Further models run on every stream's frames besides <see cref="Model"/> (which is the first head).</summary>
    public IReadOnlyList<HeadOptions> Heads { get; init; } = [];

    /// <summary>Most frames one inference runs on, 1 up to the bundle's maximum batch (at most 256); 0 takes the bundle's maximum.</summary>
    public int MaxBatch { get; init; }

    /// <summary>Most streams a run accepts, 1 to 256 (a guard against a config that names more cameras than the device can serve).</summary>
    public int MaxStreams { get; init; } = 16;

    public TensorRtSettings? Tensorrt { get; init; }

    public CudaSettings? Cuda { get; init; }

    /// <summary>The streams to run: <see cref="Streams"/>, or the single stream <see cref="Stream"/> reading <see cref="Source"/>.</summary>
    public IReadOnlyList<StreamOptions> EffectiveStreams() =>
        Streams.Count > 0 ? Streams : [new StreamOptions { Id = Stream, Source = Source }];

    /// <summary>
    /// Throws <see cref="SettingException"/> naming the first value out of its range. What needs a loaded bundle (a
    /// stream naming the configured model's head, labels, the bundle's maximum batch) is checked at assembly
    /// (<see cref="ValidateHeadReferences"/>).
    /// </summary>
    public void Validate()
    {
        if (!(BudgetMs >= 1 && BudgetMs <= 60_000))
        {
            throw new SettingException("budget_ms", BudgetMs, "a number from 1 to 60000");
        }

        if (Streams.Count == 0 && !StreamId.IsValid(Stream)) // a streams list names its ids itself (StreamRules)
        {
            throw new SettingException("stream", Stream is "" ? "empty" : Stream, StreamId.Expected);
        }

        if (Threads is < 0 or > 256)
        {
            throw new SettingException("threads", Threads, "0 (ONNX Runtime's default) to 256");
        }

        if (!(Smoothing >= 0 && Smoothing < 1))
        {
            throw new SettingException("smoothing", Smoothing, "a number from 0 (off) up to but excluding 1");
        }

        if (TopK is < 0 or > 10_000)
        {
            throw new SettingException("top_k", TopK, "0 (no cap) or a positive number of labels");
        }

        foreach (var stage in (ReadOnlySpan<PipelineStage>)[PipelineStage.Queue, PipelineStage.Preprocess, PipelineStage.Inference, PipelineStage.Decode])
        {
            if (StageBudgets.Of(stage) is { } ms && !(ms >= 0.1 && ms <= BudgetMs))
            {
                throw new SettingException($"stage_budgets_ms.{stage.ToString().ToLowerInvariant()}", ms, $"a number from 0.1 up to budget_ms ({BudgetMs.ToString(CultureInfo.InvariantCulture)})");
            }
        }

        StreamRules.Validate(this);
        Degrade.Validate();
        Tensorrt?.Validate(MachineMemory.TotalBytes("/"));
        Cuda?.Validate();
    }

    /// <summary>
    /// Throws <see cref="SettingException"/> for a stream naming a head that is neither <paramref name="modelHead"/>
    /// (the configured model's head, named after its bundle) nor one of <see cref="Heads"/>, or a head that takes the
    /// model head's name. Call once the configured bundle is loaded, before anything starts.
    /// </summary>
    public void ValidateHeadReferences(string modelHead) => StreamRules.ValidateHeadReferences(this, modelHead);
}
