using Edge.Runtime.Control;
using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Tests.Control;

/// <summary>Changes handed to the frame thread (<see cref="BatchScheduler.Post(BoundaryChange)"/>) and applied between two batches.</summary>
public sealed class BoundaryChangeTests
{
    [Fact]
    public async Task Post_AppliedAtTheTopOfTheNextRunOnce_InTheOrderPosted()
    {
        using var rig = new ControlRig(streams: 1);
        var applied = new List<string>();
        var first = Change(applied, "first");
        var second = Change(applied, "second");

        rig.Scheduler.Post(first);
        rig.Scheduler.Post(second);
        var before = applied.Count;
        rig.Scheduler.RunOnce(out _);

        Assert.Equal(0, before);
        Assert.Equal(["first", "second"], applied);
        Assert.True(first.Done.Task.IsCompleted && second.Done.Task.IsCompleted);
        Assert.Equal(("first", "second"), (await first.Done.Task, await second.Done.Task));
    }

    [Fact]
    public async Task Post_ChangeNotReadyYet_TriedAgainAtEachBoundaryWhileLaterOnesGoAhead()
    {
        using var rig = new ControlRig(streams: 1);
        var applied = new List<string>();
        var tries = 0;
        var waiting = new BoundaryTask<string>(_ => ++tries < 3 ? null : "ready");
        var later = Change(applied, "later");

        rig.Scheduler.Post(waiting);
        rig.Scheduler.Post(later);
        rig.Scheduler.RunOnce(out _);
        var afterOne = (waiting.Done.Task.IsCompleted, later.Done.Task.IsCompleted);
        rig.Scheduler.RunOnce(out _);
        rig.Scheduler.RunOnce(out _);

        Assert.Equal((false, true), afterOne);
        Assert.True(waiting.Done.Task.IsCompleted);
        Assert.Equal("ready", await waiting.Done.Task);
        Assert.Equal(3, tries);
    }

    [Fact]
    public void Withdraw_BeforeTheFrameThreadTookIt_NeverApplied()
    {
        using var rig = new ControlRig(streams: 1);
        var applied = new List<string>();
        var change = Change(applied, "withdrawn");
        var kept = Change(applied, "kept");

        rig.Scheduler.Post(change);
        rig.Scheduler.Post(kept);
        var withdrawn = rig.Scheduler.Withdraw(change);
        rig.Scheduler.RunOnce(out _);

        Assert.True(withdrawn);
        Assert.Equal(["kept"], applied);
        Assert.False(rig.Scheduler.Withdraw(kept));
    }

    [Fact]
    public void Post_ChangeThatThrows_FailsAloneAndFramesGoOn()
    {
        using var rig = new ControlRig(streams: 1);
        var failing = new BoundaryTask<string>(_ => throw new InvalidOperationException("not now"));

        rig.Scheduler.Post(failing);
        rig.Round();
        rig.Round();

        var error = Assert.IsType<ControlException>(failing.Done.Task.Exception!.InnerException);
        Assert.Equal((ControlErrorKind.Conflict, "not now"), (error.Kind, error.Message));
        Assert.Equal(2, rig.Log.Of("cam0").Count);
    }

    [Fact]
    public async Task Post_IdleRun_WakesAndApplies_ThenAStoppedRunAbandonsLaterChanges()
    {
        using var rig = new ControlRig(streams: 1);
        using var stop = new CancellationTokenSource();
        var run = Task.Factory.StartNew(() => rig.Scheduler.Run(0, stop.Token), TaskCreationOptions.LongRunning);
        var applied = new List<string>();
        var change = Change(applied, "while idle");

        rig.Scheduler.Post(change);
        var result = await change.Done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        var late = Change(applied, "too late");
        rig.Scheduler.Post(late);

        Assert.Equal("while idle", result);
        Assert.True(rig.Scheduler.Stopped);
        var abandoned = await Assert.ThrowsAsync<ControlException>(() => late.Done.Task);
        Assert.Equal(ControlErrorKind.Unavailable, abandoned.Kind);
        Assert.Equal(["while idle"], applied);
    }

    private static BoundaryTask<string> Change(List<string> applied, string name) => new(_ =>
    {
        applied.Add(name);
        return name;
    });
}
