using Microsoft.Extensions.Time.Testing;

namespace Edge.Outputs.Tests.Mqtt;

/// <summary>
/// A fake clock that also records every timer started on it (a <c>Task.Delay</c> or a timed cancellation), so a test
/// can await the code under test reaching a wait and advance the clock by exactly that wait.
/// </summary>
internal sealed class TimerRecordingTimeProvider : FakeTimeProvider
{
    private readonly List<TimeSpan> dueTimes = [];
    private TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        TaskCompletionSource previous;
        lock (dueTimes)
        {
            dueTimes.Add(dueTime);
            previous = started;
            started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
        return timer;
    }

    /// <summary>Waits until timer number <paramref name="index"/> (from 0) has started; returns its due time.</summary>
    public async Task<TimeSpan> TimerStarted(int index, TimeSpan patience)
    {
        using var expired = new CancellationTokenSource(patience);
        while (true)
        {
            Task next;
            lock (dueTimes)
            {
                if (dueTimes.Count > index)
                {
                    return dueTimes[index];
                }

                next = started.Task;
            }

            await next.WaitAsync(expired.Token);
        }
    }

    public int TimersStarted
    {
        get
        {
            lock (dueTimes)
            {
                return dueTimes.Count;
            }
        }
    }
}
