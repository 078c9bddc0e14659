namespace Edge.Runtime.Pipeline;

/// <summary>
/// A change to a running <see cref="BatchScheduler"/> (a model swap, a threshold or budget change, a stream joining or
/// leaving), prepared on another thread and applied by the frame thread between two batches, where no frame is half
/// done. Posted with <see cref="BatchScheduler.Post(BoundaryChange)"/>; settled exactly once: applied, failed, withdrawn
/// by its poster before the frame thread took it, or abandoned because the scheduler stopped.
/// </summary>
internal abstract class BoundaryChange
{
    private const int Posted = 0;
    private const int Taken = 1;
    private const int Withdrawn = 2;

    private int state;

    /// <summary>
    /// Applies the change on the frame thread. False asks to be tried again at the next boundary (a stream leaving
    /// waits for its frame in flight); anything thrown fails the change.
    /// </summary>
    public abstract bool TryApply(BatchScheduler scheduler);

    /// <summary>The change could not be applied (it threw on the frame thread).</summary>
    public abstract void Fail(Exception exception);

    /// <summary>The scheduler stopped before the change was applied.</summary>
    public abstract void Abandon();

    /// <summary>The frame thread takes the change: false when its poster withdrew it first.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref state, Taken, Posted) == Posted;

    /// <summary>The poster takes the change back: false when the frame thread has taken it already.</summary>
    public bool TryWithdraw() => Interlocked.CompareExchange(ref state, Withdrawn, Posted) == Posted;
}
