using System.Diagnostics;

namespace Edge.Runtime.Budget;

/// <summary>
/// A one-shot timer on its own thread. The runtime's timers run their callbacks on the thread pool, which a busy
/// host (or the first use, before the pool has grown) can delay by tens of milliseconds; a deadline must not wait
/// for that. Waiting is a monitor wait (no spinning, no allocation per <see cref="Change"/>).
/// </summary>
internal sealed class DedicatedTimer : ITimer
{
    private readonly object gate = new();
    private readonly Action callback;
    private readonly Thread thread;
    private long due = long.MaxValue;
    private bool disposed;

    public DedicatedTimer(Action callback, string name)
    {
        this.callback = callback;
        thread = new Thread(Loop) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>Schedules the callback <paramref name="dueTime"/> from now (infinite: never); periods are not supported.</summary>
    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        lock (gate)
        {
            if (disposed)
            {
                return false;
            }

            due = dueTime == Timeout.InfiniteTimeSpan
                ? long.MaxValue
                : Stopwatch.GetTimestamp() + (long)(dueTime.TotalSeconds * Stopwatch.Frequency);
            Monitor.Pulse(gate);
            return true;
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            Monitor.Pulse(gate);
        }

        if (Thread.CurrentThread != thread)
        {
            thread.Join();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Loop()
    {
        while (true)
        {
            lock (gate)
            {
                while (true)
                {
                    if (disposed)
                    {
                        return;
                    }

                    if (due == long.MaxValue)
                    {
                        Monitor.Wait(gate);
                        continue;
                    }

                    var remaining = due - Stopwatch.GetTimestamp();
                    if (remaining <= 0)
                    {
                        due = long.MaxValue;
                        break;
                    }

                    Monitor.Wait(gate, (int)Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency));
                }
            }

            callback();
        }
    }
}
