namespace Edge.Runtime.Budget;

/// <summary>The stages of the frame path that carry a latency of their own.</summary>
public enum PipelineStage
{
    /// <summary>Capture to the pipeline taking the frame (time waiting in the hand-off).</summary>
    Queue,
    Preprocess,
    Inference,
    Decode,

    /// <summary>Serialising the label set (the outputs are told after it).</summary>
    Publish,
}

/// <summary>Optional per-stage budgets in milliseconds; null leaves a stage bounded by the end-to-end budget only.</summary>
public sealed record StageBudgets
{
    public static readonly StageBudgets None = new();

    public double? Queue { get; init; }

    public double? Preprocess { get; init; }

    public double? Inference { get; init; }

    public double? Decode { get; init; }

    public double? Of(PipelineStage stage) => stage switch
    {
        PipelineStage.Queue => Queue,
        PipelineStage.Preprocess => Preprocess,
        PipelineStage.Inference => Inference,
        PipelineStage.Decode => Decode,
        _ => null,
    };
}

/// <summary>
/// The latency budget of a frame: deadline = capture time + budget, optionally tightened per stage. A frame already
/// past its deadline (or over its queue budget) when the pipeline reaches it is stale; inference is cancelled at
/// <see cref="InferenceDeadline"/>; a frame that finishes late, or overran a stage budget, missed its deadline.
/// </summary>
public sealed class FrameBudget
{
    private readonly long budgetTicks;
    private readonly long queueTicks;
    private readonly long preprocessTicks;
    private readonly long inferenceTicks;
    private readonly long decodeTicks;

    public FrameBudget(double budgetMs, TimeProvider time, StageBudgets? stages = null)
    {
        if (!(budgetMs > 0) || double.IsInfinity(budgetMs))
        {
            throw new ArgumentOutOfRangeException(nameof(budgetMs), $"budget is {budgetMs} ms, expected a positive number");
        }

        BudgetMs = budgetMs;
        Stages = stages ?? StageBudgets.None;
        budgetTicks = Ticks(budgetMs, time);
        queueTicks = Ticks(Stages.Queue, time);
        preprocessTicks = Ticks(Stages.Preprocess, time);
        inferenceTicks = Ticks(Stages.Inference, time);
        decodeTicks = Ticks(Stages.Decode, time);
    }

    public double BudgetMs { get; }

    public StageBudgets Stages { get; }

    public long DeadlineOf(long capturedAt) => capturedAt + budgetTicks;

    /// <summary>True when the frame's deadline, or its queue budget, has already passed at <paramref name="now"/>.</summary>
    public bool IsStale(long capturedAt, long now) => now > DeadlineOf(capturedAt) || now - capturedAt > queueTicks;

    /// <summary>When an inference that starts at <paramref name="startedAt"/> must be cancelled.</summary>
    public long InferenceDeadline(long capturedAt, long startedAt) => Math.Min(DeadlineOf(capturedAt), SaturatingAdd(startedAt, inferenceTicks));

    public bool IsMet(long capturedAt, long finishedAt) => finishedAt <= DeadlineOf(capturedAt);

    /// <summary>The first stage whose own budget the given durations (in timestamp ticks) exceeded, or null.</summary>
    public PipelineStage? Overrun(long preprocess, long inference, long decode) =>
        preprocess > preprocessTicks ? PipelineStage.Preprocess
        : inference > inferenceTicks ? PipelineStage.Inference
        : decode > decodeTicks ? PipelineStage.Decode
        : null;

    private static long Ticks(double? milliseconds, TimeProvider time) =>
        milliseconds is { } ms ? (long)(ms * time.TimestampFrequency / 1000.0) : long.MaxValue;

    private static long SaturatingAdd(long a, long b) => b > long.MaxValue - a ? long.MaxValue : a + b;
}
