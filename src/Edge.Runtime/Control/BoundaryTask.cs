using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Control;

/// <summary>
/// A control change for the frame thread: <paramref name="tryApply"/> runs there at a batch boundary and returns the
/// result, or null to be tried again at the next boundary; <see cref="Done"/> completes with it, or fails with a
/// <see cref="ControlException"/>.
/// </summary>
internal sealed class BoundaryTask<T>(Func<BatchScheduler, T?> tryApply) : BoundaryChange
    where T : class
{
    public TaskCompletionSource<T> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override bool TryApply(BatchScheduler scheduler)
    {
        if (tryApply(scheduler) is not { } result)
        {
            return false;
        }

        Done.TrySetResult(result);
        return true;
    }

    public override void Fail(Exception exception) => Done.TrySetException(exception switch
    {
        ControlException control => control,
        InvalidOperationException conflict => new ControlException(ControlErrorKind.Conflict, conflict.Message.ReplaceLineEndings(" "), conflict),
        _ => new ControlException(ControlErrorKind.Unavailable, $"the frame thread could not apply the change: {exception.Message.ReplaceLineEndings(" ")}", exception),
    });

    public override void Abandon() => Done.TrySetException(new ControlException(ControlErrorKind.Unavailable, "the pipeline has stopped: expected a running pipeline"));
}
