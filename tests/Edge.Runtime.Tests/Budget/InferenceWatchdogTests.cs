using Edge.Runtime.Budget;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Runtime.Tests.Budget;

public sealed class InferenceWatchdogTests : IDisposable
{
    private readonly PipelineHarness harness = new();
    private readonly FakeTimeProvider time = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public void DeadlinePassing_TerminatesTheRun_AndDisarmReportsIt()
    {
        using var watchdog = new InferenceWatchdog(time);
        var session = harness.Session;
        watchdog.Arm(session, time.GetTimestamp() + Ticks(10));

        time.Advance(TimeSpan.FromMilliseconds(12));

        Assert.False(session.TryRun());
        Assert.True(watchdog.Disarm(out var lateBy));
        Assert.Equal(TimeSpan.FromMilliseconds(2), lateBy);
    }

    [Fact]
    public void AfterACancellation_TheSessionRunsNormally()
    {
        using var watchdog = new InferenceWatchdog(time);
        var session = harness.Session;
        Array.Fill(session.Input, 0.25f);
        session.Run();
        var expected = session.Output.ToArray();
        Array.Clear(session.Output);

        watchdog.Arm(session, time.GetTimestamp() - 1);
        Assert.False(session.TryRun());
        watchdog.Disarm(out _);

        watchdog.Arm(session, time.GetTimestamp() + Ticks(100));
        Assert.True(session.TryRun());
        Assert.False(watchdog.Disarm(out _));
        Assert.Equal(expected, session.Output);
    }

    [Fact]
    public void DisarmedBeforeTheDeadline_NeverFires()
    {
        using var watchdog = new InferenceWatchdog(time);
        var session = harness.Session;
        watchdog.Arm(session, time.GetTimestamp() + Ticks(10));
        Assert.True(session.TryRun());
        Assert.False(watchdog.Disarm(out _));

        time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.True(session.TryRun());
        Assert.False(watchdog.WaitForFire(TimeSpan.Zero));
    }

    [Fact]
    public void WaitForFire_EndsWhenTheDeadlinePasses()
    {
        using var watchdog = new InferenceWatchdog(TimeProvider.System);
        watchdog.Arm(harness.Session, TimeProvider.System.GetTimestamp() + TimeProvider.System.TimestampFrequency / 50);

        var started = TimeProvider.System.GetTimestamp();
        Assert.True(watchdog.WaitForFire(TimeSpan.FromSeconds(10)));
        var waited = TimeProvider.System.GetElapsedTime(started);
        Assert.True(watchdog.Disarm(out _));

        Assert.InRange(waited.TotalMilliseconds, 15, 5000);
        Assert.True(harness.Session.TryRun());
    }

    private long Ticks(double milliseconds) => (long)(milliseconds * time.TimestampFrequency / 1000);
}
