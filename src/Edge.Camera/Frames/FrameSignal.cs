namespace Edge.Camera.Frames;

/// <summary>
/// Wakes one reader that serves several <see cref="FrameSlot"/>s: any slot sets it when a frame arrives or its stream
/// ends. Sets coalesce (a reader that wakes checks every slot), so nothing is queued or allocated.
/// </summary>
public sealed class FrameSignal : IDisposable
{
    private readonly SemaphoreSlim signal = new(0, 1);
    private readonly Lock gate = new();

    public void Set()
    {
        lock (gate)
        {
            // Already set means the reader has not woken for the previous set yet; it will see this frame too.
            if (signal.CurrentCount == 0)
            {
                signal.Release();
            }
        }
    }

    /// <summary>Waits until set, at most <paramref name="timeout"/>; false on time-out or cancellation.</summary>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return signal.Wait(timeout, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => signal.Dispose();
}
