using Edge.Runtime.Bundles;
using Edge.Runtime.Inference;

namespace Edge.Runtime.Pipeline;

/// <summary>
/// A model swap ready to apply: the warmed-up session, its latency model seeded at warm-up, and the head that replaces
/// each head running the old session. Prepared off the frame thread by <see cref="ModelSwap"/>, applied by
/// <see cref="BatchScheduler"/> between two batches.
/// </summary>
internal sealed class SessionSwitch(ModelSession old, ModelSession replacement, ModelBundle bundle, BatchLatencyModel latencyModel, IReadOnlyList<HeadReplacement> heads) : BoundaryChange
{
    public ModelSession Old { get; } = old;

    public ModelSession Replacement { get; } = replacement;

    /// <summary>The model <see cref="Replacement"/> runs.</summary>
    public ModelBundle Bundle { get; } = bundle;

    public BatchLatencyModel LatencyModel { get; } = latencyModel;

    public IReadOnlyList<HeadReplacement> Heads { get; } = heads;

    /// <summary>Completed on the frame thread once applied, with the last frame each stream ran on the old model.</summary>
    public TaskCompletionSource<IReadOnlyList<StreamSwitch>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override bool TryApply(BatchScheduler scheduler)
    {
        scheduler.ApplySwitch(this);
        return true;
    }

    public override void Fail(Exception exception) => Done.TrySetException(new InvalidOperationException(exception.Message, exception));

    public override void Abandon() => Done.TrySetException(new InvalidOperationException("the frame thread has stopped: expected a running pipeline"));
}

/// <summary>The head at <paramref name="Level"/> of <paramref name="Pipeline"/>, <paramref name="Old"/>, gives way to <paramref name="Replacement"/>.</summary>
internal readonly record struct HeadReplacement(FramePipeline Pipeline, int Level, InferenceHead Old, InferenceHead Replacement);
