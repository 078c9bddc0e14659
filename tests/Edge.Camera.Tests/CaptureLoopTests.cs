using System.Diagnostics;
using Edge.Camera.Capture;
using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Camera.Tests;

public sealed class CaptureLoopTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private static readonly ReconnectPolicy QuickPolicy = new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(1),
        MaxDelay = TimeSpan.FromMilliseconds(4),
    };

    private static FrameSlot NewSlot() => new(() => new Frame(4, 2));

    private static void Eventually(Func<bool> condition, string what) =>
        Assert.True(SpinWait.SpinUntil(condition, Patience), $"timed out waiting for {what}");

    private static Func<int, ReadStep> Script(params ReadStep[] steps) =>
        call => call <= steps.Length ? steps[call - 1] : ReadStep.End;

    private static List<long> Drain(FrameSlot slot) => SlotDrain.Sequences(slot, Patience);

    [Fact]
    public void Start_SourceCannotOpen_ThrowsToTheCallerAndStartsNoThread()
    {
        var source = new ScriptedSource(_ => ReadStep.Frame, openFails: _ => true);
        var loop = new CaptureLoop(source, NewSlot(), TimeProvider.System, NullLogger.Instance);

        var error = Assert.Throws<FrameSourceException>(loop.Start);
        loop.Dispose();

        Assert.Equal("scripted open failure 1", error.Message);
        Assert.False(loop.IsRunning);
        Assert.False(loop.IsConnected);
        Assert.Equal(0, source.ReadCalls);
        Assert.True(source.Disposed);
    }

    [Fact]
    public void Start_MissingCamera_ThrowsTheCameraError()
    {
        using var loop = new CaptureLoop(FrameSources.Create("v4l2:/dev/video99"), NewSlot(), TimeProvider.System, NullLogger.Instance);

        var error = Assert.Throws<FrameSourceException>(loop.Start);

        Assert.StartsWith("cannot open camera v4l2:/dev/video99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_Twice_Throws()
    {
        using var loop = new CaptureLoop(new ScriptedSource(Script(ReadStep.Frame)), NewSlot(), TimeProvider.System, NullLogger.Instance);
        loop.Start();

        Assert.Throws<InvalidOperationException>(loop.Start);
    }

    [Fact]
    public void Run_SourceEnds_PublishesStampedFramesAndCompletesTheSlot()
    {
        var slot = NewSlot();
        var source = new ScriptedSource(Script(ReadStep.Frame, ReadStep.Frame, ReadStep.Frame, ReadStep.Frame, ReadStep.Frame));
        using var loop = new CaptureLoop(source, slot, TimeProvider.System, NullLogger.Instance);
        var before = TimeProvider.System.GetTimestamp();

        loop.Start();
        Assert.True(loop.WaitForExit(Patience));
        var last = slot.Take(CancellationToken.None);

        Assert.NotNull(last);
        Assert.Equal(5, last.Sequence);
        Assert.InRange(last.CapturedAt, before, TimeProvider.System.GetTimestamp());
        Assert.Equal((byte)5, last.Pixels[0]);
        Assert.Null(slot.Take(CancellationToken.None));
        Assert.Equal(5, loop.FramesCaptured);
        Assert.Equal(0, loop.ReadFailures);
        Assert.Null(loop.Fault);
        Assert.False(loop.IsConnected);
    }

    [Fact]
    public void Run_ReadFailsAndReopenFails_BacksOffDoublingThenRecovers()
    {
        var time = new FakeTimeProvider();
        var slot = NewSlot();
        var source = new ScriptedSource(
            Script(ReadStep.Failed, ReadStep.Frame, ReadStep.Frame, ReadStep.Frame),
            openFails: call => call is >= 2 and <= 4,
            time: time);
        using var loop = new CaptureLoop(source, slot, time, NullLogger.Instance);
        loop.Start();

        var opens = 1;
        foreach (var gap in new[] { 500, 1000, 2000, 4000 })
        {
            Eventually(() => source.OpenCalls == opens && loop.IsWaiting, $"back-off wait after open {opens}");
            Assert.False(loop.IsConnected);
            time.Advance(TimeSpan.FromMilliseconds(gap - 1));
            Thread.Sleep(20);
            Assert.Equal(opens, source.OpenCalls);
            time.Advance(TimeSpan.FromMilliseconds(1));
            opens++;
        }

        Assert.True(loop.WaitForExit(Patience));
        Assert.Equal(
            new[] { 0, 500, 1500, 3500, 7500 }.Select(ms => TimeSpan.FromMilliseconds(ms)),
            source.OpenTimes);
        Assert.Equal(1, loop.ReadFailures);
        Assert.Equal(4, loop.ReconnectAttempts);
        Assert.Equal(1, loop.Reconnects);
        Assert.Equal(3, loop.FramesCaptured);
        Assert.Null(loop.Fault);
        Assert.Equal([3L], Drain(slot));
    }

    [Fact]
    public void Run_FailureAfterAGoodFrame_StartsBackOffFromTheInitialDelayAgain()
    {
        var time = new FakeTimeProvider();
        var source = new ScriptedSource(
            Script(ReadStep.Frame, ReadStep.Failed, ReadStep.Frame, ReadStep.Failed, ReadStep.Frame),
            time: time);
        using var loop = new CaptureLoop(source, NewSlot(), time, NullLogger.Instance);
        loop.Start();

        for (var opens = 1; opens <= 2; opens++)
        {
            var expected = opens;
            Eventually(() => source.OpenCalls == expected && loop.IsWaiting, $"back-off wait after open {opens}");
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        Assert.True(loop.WaitForExit(Patience));
        Assert.Equal(new[] { 0, 500, 1000 }.Select(ms => TimeSpan.FromMilliseconds(ms)), source.OpenTimes);
        Assert.Equal(2, loop.ReadFailures);
        Assert.Equal(2, loop.Reconnects);
        Assert.Equal(3, loop.FramesCaptured);
        Assert.Equal(2, source.CloseCalls);
    }

    [Fact]
    public void Run_ReadThrowsOrdinaryException_ReconnectsAndCarriesOn()
    {
        var slot = NewSlot();
        var source = new ScriptedSource(Script(ReadStep.Frame, ReadStep.Throw, ReadStep.Frame, ReadStep.Frame));
        using var loop = new CaptureLoop(source, slot, TimeProvider.System, NullLogger.Instance, QuickPolicy);

        loop.Start();
        Assert.True(loop.WaitForExit(Patience));

        Assert.Null(loop.Fault);
        Assert.Equal(1, loop.ReadFailures);
        Assert.Equal(1, loop.Reconnects);
        Assert.Equal(3, loop.FramesCaptured);
        Assert.Equal(2, source.OpenCalls);
        Assert.Equal(1, source.CloseCalls);
        Assert.Equal([3L], Drain(slot));
    }

    [Fact]
    public void Run_ReadThrowsFrameSourceException_StopsWithFaultAndNoReconnect()
    {
        var slot = NewSlot();
        var source = new ScriptedSource(Script(ReadStep.Frame, ReadStep.Frame, ReadStep.Fatal, ReadStep.Frame));
        using var loop = new CaptureLoop(source, slot, TimeProvider.System, NullLogger.Instance, QuickPolicy);

        loop.Start();
        Assert.True(loop.WaitForExit(Patience));

        Assert.Same(source.FatalError, loop.Fault);
        Assert.Equal(1, source.OpenCalls);
        Assert.Equal(3, source.ReadCalls);
        Assert.Equal(0, loop.ReconnectAttempts);
        Assert.Equal([2L], Drain(slot));
    }

    [Fact]
    public void Run_ReopenKeepsFailingPastMaxAttempts_FaultsWithTheLastError()
    {
        var slot = NewSlot();
        var source = new ScriptedSource(Script(ReadStep.Failed), openFails: call => call >= 2);
        using var loop = new CaptureLoop(source, slot, TimeProvider.System, NullLogger.Instance, QuickPolicy with { MaxAttempts = 3 });

        loop.Start();
        Assert.True(loop.WaitForExit(Patience));

        Assert.NotNull(loop.Fault);
        Assert.Equal(
            "camera scripted was lost and did not come back after 3 reconnect attempts: scripted open failure 4",
            loop.Fault.Message);
        Assert.Equal(3, loop.ReconnectAttempts);
        Assert.Equal(0, loop.Reconnects);
        Assert.Equal(4, source.OpenCalls);
        Assert.Empty(Drain(slot));
    }

    [Fact]
    public void Run_ReopensThatNeverDeliver_CountTowardsMaxAttempts()
    {
        var source = new ScriptedSource(_ => ReadStep.Failed);
        using var loop = new CaptureLoop(source, NewSlot(), TimeProvider.System, NullLogger.Instance, QuickPolicy with { MaxAttempts = 2 });

        loop.Start();
        Assert.True(loop.WaitForExit(Patience));

        Assert.Contains("after 2 reconnect attempts: it opened but delivered no frame", loop.Fault?.Message, StringComparison.Ordinal);
        Assert.Equal(3, loop.ReadFailures);
        Assert.Equal(2, loop.Reconnects);
        Assert.Equal(0, loop.FramesCaptured);
    }

    [Fact]
    public void Stop_DuringALongBackOff_ReturnsPromptlyAndReleasesEverything()
    {
        var slot = NewSlot();
        var source = new ScriptedSource(Script(ReadStep.Frame, ReadStep.Failed));
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromSeconds(30), MaxDelay = TimeSpan.FromSeconds(30) };
        var loop = new CaptureLoop(source, slot, TimeProvider.System, NullLogger.Instance, policy);
        loop.Start();
        Eventually(() => loop.IsWaiting, "the back-off wait");
        var clock = Stopwatch.StartNew();

        loop.Dispose();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"stop took {clock.Elapsed}");
        Assert.False(loop.IsRunning);
        Assert.True(source.Disposed);
        Assert.Equal(2, source.CloseCalls);
        Assert.Equal([1L], Drain(slot));
    }

    [Fact]
    public void Stop_WhileFramesFlow_EndsTheThreadAndCompletesTheSlot()
    {
        var slot = NewSlot();
        var source = new ScriptedSource(_ => ReadStep.Frame, pacingFps: 500);
        var loop = new CaptureLoop(source, slot, TimeProvider.System, NullLogger.Instance);
        loop.Start();
        Eventually(() => loop.FramesCaptured >= 5, "five frames");

        loop.Stop();

        Assert.False(loop.IsRunning);
        Assert.True(source.Disposed);
        var drained = Drain(slot);
        Assert.True(drained.Count <= 1);
        Assert.Null(loop.Fault);
    }

    [Fact]
    public void Run_PacedSource_FollowsAnAbsoluteScheduleWithoutDriftOrBursts()
    {
        var time = new FakeTimeProvider();
        var source = new ScriptedSource(_ => ReadStep.Frame, pacingFps: 10, time: time);
        using var loop = new CaptureLoop(source, NewSlot(), time, NullLogger.Instance);
        loop.Start();
        Eventually(() => loop.FramesCaptured == 1 && loop.IsWaiting, "the first frame");

        // 30 ms steps never land on the 100 ms grid: a loop that scheduled from its late wake-ups would fall behind.
        for (var elapsed = 30; elapsed <= 1020; elapsed += 30)
        {
            time.Advance(TimeSpan.FromMilliseconds(30));
            var expected = (elapsed / 100) + 1;
            Eventually(() => loop.FramesCaptured == expected && loop.IsWaiting, $"{expected} frames at {elapsed} ms");
        }

        // A one-second stall gives one late frame, not a burst of the ten missed ones, and a new schedule from there.
        time.Advance(TimeSpan.FromSeconds(1));
        Eventually(() => loop.FramesCaptured == 12 && loop.IsWaiting, "one frame after the stall");
        time.Advance(TimeSpan.FromMilliseconds(99));
        Thread.Sleep(20);
        Assert.Equal(12, loop.FramesCaptured);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Eventually(() => loop.FramesCaptured == 13 && loop.IsWaiting, "the next frame 100 ms after the stall");
    }

    [Fact]
    public void Run_SteadyState_AllocatesNothingPerFrame()
    {
        var source = new ScriptedSource(_ => ReadStep.Frame, pacingFps: 1000);
        using var loop = new CaptureLoop(source, NewSlot(), TimeProvider.System, NullLogger.Instance);
        loop.Start();
        Eventually(() => loop.FramesCaptured >= 50, "50 frames");
        var framesBefore = loop.FramesCaptured;
        var allocatedBefore = loop.CaptureThreadAllocatedBytes;

        Eventually(() => loop.FramesCaptured >= framesBefore + 100, "100 more frames");

        Assert.Equal(allocatedBefore, loop.CaptureThreadAllocatedBytes);
    }

    [Fact]
    public void Run_SyntheticSource_PublishesFramesWithTruthUntilItsLimit()
    {
        var slot = NewSlot();
        using var loop = new CaptureLoop(FrameSources.Create("synthetic?frames=20&fps=0&size=32"), slot, TimeProvider.System, NullLogger.Instance);

        loop.Start();
        Assert.True(loop.WaitForExit(Patience));
        var last = slot.Take(CancellationToken.None);

        Assert.Equal(20, loop.FramesCaptured);
        Assert.NotNull(last);
        Assert.Equal(20, last.Sequence);
        Assert.Equal(32, last.Width);
        Assert.True(last.HasTruth);
        Assert.Null(loop.Fault);
    }

    [Fact]
    public void Constructor_InvalidPolicy_Throws()
    {
        var source = new ScriptedSource(_ => ReadStep.Frame);

        Assert.Throws<ArgumentException>(() => new CaptureLoop(source, NewSlot(), TimeProvider.System, NullLogger.Instance, new ReconnectPolicy { Factor = 0.5 }));
        Assert.Throws<ArgumentException>(() => new CaptureLoop(source, NewSlot(), TimeProvider.System, NullLogger.Instance, new ReconnectPolicy { MaxAttempts = 0 }));
        Assert.Throws<ArgumentException>(() => new CaptureLoop(source, NewSlot(), TimeProvider.System, NullLogger.Instance, new ReconnectPolicy { MaxDelay = TimeSpan.FromMilliseconds(100) }));
    }

    [Fact]
    public void DelayBefore_DefaultPolicy_DoublesFromHalfASecondUpToTenSeconds()
    {
        var delays = Enumerable.Range(1, 7).Select(ReconnectPolicy.Default.DelayBefore).Select(d => d.TotalSeconds);

        Assert.Equal([0.5, 1, 2, 4, 8, 10, 10], delays);
    }
}
