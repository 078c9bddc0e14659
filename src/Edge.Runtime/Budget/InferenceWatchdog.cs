using Edge.Runtime.Inference;

namespace Edge.Runtime.Budget;

/// <summary>
/// The hard deadline: armed before an inference, it asks ONNX Runtime to terminate that inference when the deadline
/// passes (<see cref="ModelSession.RequestTerminate"/>), and <see cref="Disarm"/> after the run withdraws the request,
/// so the session is ready for the next frame. One timer is created once and re-armed per frame, so nothing is
/// allocated per frame: on the system clock a <see cref="DedicatedTimer"/> (its own thread, not the thread pool),
/// on any other <see cref="TimeProvider"/> that provider's timer, so a fake clock drives it in tests.
/// </summary>
public sealed class InferenceWatchdog : IDisposable
{
    private readonly TimeProvider time;
    private readonly ITimer timer;
    private readonly Lock gate = new();
    private readonly ManualResetEventSlim fired = new(false);
    private ModelSession? armedSession;
    private long deadline;

    public InferenceWatchdog(TimeProvider time)
    {
        this.time = time;
        timer = time == TimeProvider.System
            ? new DedicatedTimer(OnTimer, "edge-deadline")
            : time.CreateTimer(static state => ((InferenceWatchdog)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Arms the deadline for <paramref name="session"/>'s next run; fires at once if it has already passed.</summary>
    /// <remarks>Fires once the clock is past the deadline: finishing exactly at it meets it.</remarks>
    public void Arm(ModelSession session, long deadlineTimestamp)
    {
        lock (gate)
        {
            armedSession = session;
            deadline = deadlineTimestamp;
            fired.Reset();
        }

        ScheduleOrFire();
    }

    /// <summary>
    /// Stops the deadline and withdraws a termination request it made. Returns true when it fired, and then the
    /// delay from the deadline to now in <paramref name="lateBy"/> (how long cancelling took).
    /// </summary>
    public bool Disarm(out TimeSpan lateBy)
    {
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (gate)
        {
            var session = armedSession;
            armedSession = null;
            lateBy = TimeSpan.Zero;
            if (!fired.IsSet)
            {
                return false;
            }

            session?.ClearTerminate();
            lateBy = time.GetElapsedTime(deadline);
            return true;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the armed deadline to fire; true when it did. Lets work that is not
    /// ONNX Runtime's (an injected test delay) be cut short the way a terminated inference is.
    /// </summary>
    public bool WaitForFire(TimeSpan timeout) => fired.Wait(timeout);

    public void Dispose()
    {
        timer.Dispose();
        fired.Dispose();
    }

    private void OnTimer()
    {
        if (!TryFire())
        {
            // A timer rounds to milliseconds and may wake a little early, or this callback belongs to an earlier frame.
            ScheduleOrFire();
        }
    }

    private void ScheduleOrFire()
    {
        long remaining;
        lock (gate)
        {
            if (armedSession is null || fired.IsSet)
            {
                return;
            }

            remaining = deadline - time.GetTimestamp();
        }

        if (remaining < 0)
        {
            TryFire();
            return;
        }

        // Finishing exactly at the deadline meets it: fire only once it has passed.
        var due = TimeSpan.FromSeconds(Math.Max(remaining, 1) / (double)time.TimestampFrequency);
        timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    /// <returns>False when the deadline has not come yet for the session still armed.</returns>
    private bool TryFire()
    {
        lock (gate)
        {
            if (armedSession is not { } session || fired.IsSet)
            {
                return true;
            }

            if (time.GetTimestamp() <= deadline)
            {
                return false;
            }

            session.RequestTerminate();
            fired.Set();
            return true;
        }
    }
}
