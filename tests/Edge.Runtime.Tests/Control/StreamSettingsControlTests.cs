using Edge.Runtime.Budget;
using Edge.Runtime.Control;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Tests.Control;

/// <summary>Pause, thresholds, budget and miss policy changed on a running pipeline, each at a frame boundary (<see cref="RuntimeControl"/>).</summary>
public sealed class StreamSettingsControlTests
{
    private static readonly string Label = TestBundle.LabelNames[0];

    [Fact]
    public void PauseAsync_FramesStillTakenButNotLabelledUntilResume_OtherStreamsUntouched()
    {
        using var rig = new ControlRig(streams: 2);
        rig.Rounds(3);

        var pause = rig.Control.PauseAsync("cam0");
        Assert.False(pause.IsCompleted); // waits for the frame thread's next boundary
        var paused = rig.Await(pause);
        rig.Rounds(4);
        var resumed = rig.Await(rig.Control.ResumeAsync("cam0"));
        rig.Rounds(3);

        Assert.Equal(new PauseResult("cam0", true, 3), paused);
        Assert.Equal(new PauseResult("cam0", false, 7), resumed);
        var cam0 = rig.Log.Of("cam0");
        Assert.Equal([1L, 2, 3, 8, 9, 10], cam0.Where(report => report.Message is not null).Select(report => report.Frame));
        Assert.Equal([4L, 5, 6, 7], cam0.Where(report => report.Outcome == FrameOutcome.Paused).Select(report => report.Frame));
        Assert.Equal(4, rig.Lane("cam0").Stats.Paused);
        Assert.Equal(10, rig.Camera("cam0").Captured);
        Assert.Equal(Enumerable.Range(1, 10).Select(frame => (long)frame), rig.Log.Of("cam1").Where(report => report.Message is not null).Select(report => report.Frame));
        Assert.Equal(0, rig.Lane("cam1").Stats.Paused);
    }

    [Fact]
    public void ResumeAsync_LabelsOnBeforeThePause_NotReportedOnAgain()
    {
        using var rig = new ControlRig(streams: 1, maxBatch: 1);
        rig.Rounds(2);
        var active = rig.Log.Of("cam0")[^1].Active;

        rig.Await(rig.Control.PauseAsync("cam0"));
        rig.Rounds(2);
        rig.Await(rig.Control.ResumeAsync("cam0"));
        rig.Round();

        // The decoder judged the first frame after the pause afresh, against the label set published before it.
        var first = rig.Log.Of("cam0")[^1];
        Assert.Equal(5, first.Frame);
        Assert.Equal(active, first.Active);
        Assert.Empty(first.TurnedOn);
        Assert.Empty(first.TurnedOff);
    }

    [Fact]
    public void PauseAsync_Status_SaysPausedAndCountsThePausedFrames()
    {
        using var rig = new ControlRig(streams: 2);
        rig.Rounds(2);
        rig.Await(rig.Control.PauseAsync("cam1"));
        rig.Rounds(3);

        var status = rig.Control.Status();

        var cam1 = Assert.Single(status.Streams, stream => stream.Id == "cam1");
        Assert.True(cam1.Paused);
        Assert.Equal(3, Assert.Single(cam1.Heads).Paused);
        Assert.Equal(2, cam1.Heads[0].Published);
        Assert.False(Assert.Single(status.Streams, stream => stream.Id == "cam0").Paused);
    }

    [Fact]
    public void SetThresholdsAsync_AppliedAtTheNextBoundary_TheLabelFlipsFromThatFrameOnOnlyOnThatStream()
    {
        using var rig = new ControlRig(streams: 2);
        rig.Rounds(3);
        var last = rig.Log.Of("cam0")[^1];
        var wasOn = last.Active.Contains(Label);
        var (threshold, off) = Flipping(last.Scores[0], wasOn);
        var cam1Before = rig.Log.Of("cam1")[^1].Active;

        var change = rig.Control.SetThresholdsAsync("cam0", null, new Dictionary<string, ThresholdOverride> { [Label] = new() { Threshold = threshold, OffThreshold = off } });
        Assert.False(change.IsCompleted);
        rig.Round(); // frame 4 arrives; the change is applied before it is taken
        var result = rig.Await(change);
        rig.Rounds(2);

        var heads = Assert.Single(result.Heads);
        Assert.Equal(3, heads.LastFrameBefore);
        Assert.Equal(new LabelThresholdStatus(Label, threshold, off), heads.Labels[0]);
        Assert.Equal(new LabelThresholdStatus(TestBundle.LabelNames[1], 0.5f, 0.4f), heads.Labels[1]);
        var cam0 = rig.Log.Of("cam0");
        Assert.All(cam0.Where(report => report.Frame <= 3), report => Assert.Equal(wasOn, report.Active.Contains(Label)));
        Assert.All(cam0.Where(report => report.Frame >= 4), report => Assert.Equal(!wasOn, report.Active.Contains(Label)));
        Assert.Contains(Label, wasOn ? cam0.Single(report => report.Frame == 4).TurnedOff : cam0.Single(report => report.Frame == 4).TurnedOn);
        Assert.All(rig.Log.Of("cam1"), report => Assert.Equal(cam1Before, report.Active));
    }

    [Fact]
    public void SetThresholdsAsync_OneHeadNamed_OnlyThatHeadsLaneChanges()
    {
        using var rig = new ControlRig(streams: 1, maxBatch: 1, configure: settings => settings with { Heads = [new HeadOptions { Name = "second", Model = settings.Model }] });
        rig.Rounds(2);
        var last = rig.Log.Of("cam0").Last(report => report.Head == "second");
        var wasOn = last.Active.Contains(Label);
        var (threshold, off) = Flipping(last.Scores[0], wasOn);

        var result = rig.Await(rig.Control.SetThresholdsAsync("cam0", "second", new Dictionary<string, ThresholdOverride> { [Label] = new() { Threshold = threshold, OffThreshold = off } }));
        rig.Rounds(2);

        Assert.Equal("second", Assert.Single(result.Heads).Head);
        var reports = rig.Log.Of("cam0").Where(report => report.Frame > 2).ToList();
        Assert.All(reports.Where(report => report.Head == "second"), report => Assert.Equal(!wasOn, report.Active.Contains(Label)));
        Assert.All(reports.Where(report => report.Head != "second"), report => Assert.Equal(wasOn, report.Active.Contains(Label)));
    }

    [Fact]
    public void SetThresholdsAsync_NoOffThreshold_KeepsTheLabelsGap()
    {
        using var rig = new ControlRig(streams: 1);

        var result = rig.Await(rig.Control.SetThresholdsAsync("cam0", null, new Dictionary<string, ThresholdOverride> { [Label] = new() { Threshold = 0.7f } }));

        var label = result.Heads[0].Labels[0];
        Assert.Equal(0.7f, label.Threshold);
        Assert.Equal(0.6f, label.OffThreshold, 5);
    }

    [Fact]
    public void SetBudgetAsync_TighterBudget_FramesTakenFromTheNextBoundaryOnGetIt()
    {
        using var rig = new ControlRig(streams: 2);
        rig.Round(queuedMs: 15);

        var change = rig.Control.SetBudgetAsync("cam0", 10, null);
        rig.Round(queuedMs: 15); // frame 2: taken under the new budget, 15 ms after capture
        var tighter = rig.Await(change);
        rig.Round(queuedMs: 5);

        Assert.Equal(("cam0", 10.0, "flag"), (tighter.Stream, tighter.BudgetMs, tighter.MissPolicy));
        Assert.Equal(new HeadBudget("tiny-multilabel", 10, "flag", 1), Assert.Single(tighter.Heads));
        var cam0 = rig.Log.Of("cam0");
        Assert.Equal([FrameOutcome.Published, FrameOutcome.DroppedStale, FrameOutcome.Published], cam0.Select(report => report.Outcome));
        Assert.Contains("\"budget_ms\":10000", cam0[0].Message, StringComparison.Ordinal);
        Assert.Contains("\"budget_ms\":10,", cam0[2].Message, StringComparison.Ordinal);
        Assert.All(rig.Log.Of("cam1"), report => Assert.Equal(FrameOutcome.Published, report.Outcome));
        Assert.Equal(10.0, rig.Lane("cam0").Budget.BudgetMs);
        Assert.Equal(10_000.0, rig.Lane("cam1").Budget.BudgetMs);
        var status = rig.Control.Status().Streams[0];
        Assert.Equal((10.0, "flag"), (status.BudgetMs, status.MissPolicy));
    }

    [Fact]
    public void SetBudgetAsync_DropPolicy_MissedLabelSetsWithheldFromTheNextBoundaryOn()
    {
        // Decoding takes 10 ms on the rig's clock, over its 5 ms stage budget: every frame misses its deadline.
        using var rig = new ControlRig(streams: 2, configure: settings => settings with { StageBudgets = new StageBudgets { Decode = 5 } }, delay: time => new ManualSlowStage(time, PipelineStage.Decode) { Delay = TimeSpan.FromMilliseconds(10) });
        rig.Rounds(2);

        var dropping = rig.Await(rig.Control.SetBudgetAsync("cam0", null, MissPolicy.Drop));
        rig.Rounds(2);

        Assert.Equal(("drop", 10_000.0), (dropping.MissPolicy, dropping.BudgetMs));
        Assert.Equal([FrameOutcome.PublishedLate, FrameOutcome.PublishedLate, FrameOutcome.Withheld, FrameOutcome.Withheld], rig.Log.Of("cam0").Select(report => report.Outcome));
        Assert.All(rig.Log.Of("cam1"), report => Assert.Equal(FrameOutcome.PublishedLate, report.Outcome));
        Assert.Equal(MissPolicy.Drop, rig.Lane("cam0").Policy);
        Assert.Equal("drop", rig.Control.Status().Streams[0].MissPolicy);
    }

    [Fact]
    public void SetBudgetAsync_DegradeWhereTheLaneHasALadder_SwitchesAndBackToFlagReturnsToLevelZero()
    {
        using var rig = new ControlRig(streams: 1);

        var degrade = rig.Await(rig.Control.SetBudgetAsync("cam0", null, MissPolicy.Degrade));
        var flag = rig.Await(rig.Control.SetBudgetAsync("cam0", null, MissPolicy.Flag));

        Assert.Equal("degrade", degrade.Heads[0].MissPolicy);
        Assert.Equal("flag", flag.Heads[0].MissPolicy);
        Assert.Equal(0, rig.Lane("cam0").Level);
    }

    [Fact]
    public void SetBudgetAsync_DegradeWithoutALadder_RefusedAndNothingChanged()
    {
        // A ladder step with a model of its own is loaded only when a stream starts with the degrade policy.
        using var rig = new ControlRig(streams: 1, configure: settings => settings with
        {
            Degrade = new DegradeOptions { Ladder = [new LadderStep { Name = "small", Model = settings.Model }] },
        });

        var refusal = rig.Refusal(rig.Control.SetBudgetAsync("cam0", 50, MissPolicy.Degrade));

        Assert.Equal(ControlErrorKind.Conflict, refusal.Kind);
        Assert.StartsWith("stream 'cam0' has no degrade ladder", refusal.Message, StringComparison.Ordinal);
        Assert.EndsWith("expected drop or flag", refusal.Message, StringComparison.Ordinal);
        Assert.Equal((10_000.0, MissPolicy.Flag), (rig.Lane("cam0").Budget.BudgetMs, rig.Lane("cam0").Policy));
    }

    public static TheoryData<double, string> BadBudgets => new()
    {
        { 0, "stream 'cam0': setting 'budget_ms' is 0: expected a number from 1 to 60000" },
        { 60_001, "stream 'cam0': setting 'budget_ms' is 60001: expected a number from 1 to 60000" },
        { double.NaN, "stream 'cam0': setting 'budget_ms' is NaN: expected a number from 1 to 60000" },
        { 20, "stream 'cam0': setting 'budget_ms' is 20: expected a number from 30 (stage_budgets_ms.inference) to 60000" },
    };

    [Theory]
    [MemberData(nameof(BadBudgets))]
    public void SetBudgetAsync_OutOfRange_RefusedLikeTheConfigFileAndNothingChanged(double budgetMs, string expected)
    {
        using var rig = new ControlRig(streams: 1, configure: settings => settings with { StageBudgets = new StageBudgets { Inference = 30 } });

        var refusal = rig.Refusal(rig.Control.SetBudgetAsync("cam0", budgetMs, MissPolicy.Drop));

        Assert.Equal((ControlErrorKind.Invalid, expected), (refusal.Kind, refusal.Message));
        Assert.Equal((10_000.0, MissPolicy.Flag), (rig.Lane("cam0").Budget.BudgetMs, rig.Lane("cam0").Policy));
    }

    [Fact]
    public void SetBudgetAsync_BelowAHeadsOwnBudget_Refused()
    {
        using var rig = new ControlRig(streams: 1, configure: settings => settings with { Heads = [new HeadOptions { Name = "second", Model = settings.Model, BudgetMs = 80 }] });

        var refusal = rig.Refusal(rig.Control.SetBudgetAsync("cam0", 50, null));

        Assert.Equal("stream 'cam0': setting 'budget_ms' is 50: expected a number from 80 (heads[0].budget_ms) to 60000", refusal.Message);
    }

    [Fact]
    public void SetBudgetAsync_NothingGiven_Refused()
    {
        using var rig = new ControlRig(streams: 1);

        var refusal = rig.Refusal(rig.Control.SetBudgetAsync("cam0", null, null));

        Assert.Equal((ControlErrorKind.Invalid, "stream 'cam0': neither a budget nor a miss policy given: expected budget_ms, miss_policy or both"), (refusal.Kind, refusal.Message));
    }

    public static TheoryData<string, float, float?, string> BadThresholds => new()
    {
        { "t-shirt", 1.5f, null, "stream 'cam0': setting 'thresholds.t-shirt.threshold' is 1.5: expected a number from 0 to 1" },
        { "t-shirt", 0.5f, 0.6f, "stream 'cam0': setting 'thresholds.t-shirt.off_threshold' is 0.6: expected a number from 0 up to its threshold (0.5)" },
        { "t-shirt", -0.1f, null, "stream 'cam0': setting 'thresholds.t-shirt.threshold' is -0.1: expected a number from 0 to 1" },
        { "hat", 0.5f, null, "stream 'cam0': setting 'thresholds.hat' (on) names label 'hat', which none of the stream's models has: expected a label of the stream's models: t-shirt, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle-boot" },
    };

    [Theory]
    [MemberData(nameof(BadThresholds))]
    public void SetThresholdsAsync_Invalid_RefusedLikeTheConfigFileAndNothingChanged(string label, float threshold, float? off, string expected)
    {
        using var rig = new ControlRig(streams: 1);
        var before = rig.Lane("cam0").Heads[0].Decoder.Thresholds.ToList();

        var refusal = rig.Refusal(rig.Control.SetThresholdsAsync("cam0", null, new Dictionary<string, ThresholdOverride>
        {
            [TestBundle.LabelNames[1]] = new() { Threshold = 0.9f }, // valid, but goes with the bad one
            [label] = new() { Threshold = threshold, OffThreshold = off },
        }));

        Assert.Equal((ControlErrorKind.Invalid, expected), (refusal.Kind, refusal.Message));
        Assert.Equal(before, rig.Lane("cam0").Heads[0].Decoder.Thresholds);
    }

    [Fact]
    public void SetThresholdsAsync_UnknownStreamOrHeadOrEmpty_RefusedWithItsKind()
    {
        using var rig = new ControlRig(streams: 2);
        var one = new Dictionary<string, ThresholdOverride> { [Label] = new() { Threshold = 0.6f } };

        var noStream = rig.Refusal(rig.Control.SetThresholdsAsync("cam9", null, one));
        var noHead = rig.Refusal(rig.Control.SetThresholdsAsync("cam0", "other", one));
        var empty = rig.Refusal(rig.Control.SetThresholdsAsync("cam0", null, new Dictionary<string, ThresholdOverride>()));
        var noFile = rig.Refusal(rig.Control.SetThresholdsAsync("cam0", null, one, persist: true));

        Assert.Equal((ControlErrorKind.NotFound, "no stream is named 'cam9': expected one of [cam0, cam1]"), (noStream.Kind, noStream.Message));
        Assert.Equal((ControlErrorKind.NotFound, "stream 'cam0' feeds no head named 'other': expected one of [tiny-multilabel]"), (noHead.Kind, noHead.Message));
        Assert.Equal((ControlErrorKind.Invalid, "stream 'cam0': no thresholds given: expected at least one label with its threshold"), (empty.Kind, empty.Message));
        Assert.Equal(ControlErrorKind.Conflict, noFile.Kind);
        Assert.Contains("no config file", noFile.Message, StringComparison.Ordinal);
        Assert.Equal(0.5f, rig.Lane("cam0").Heads[0].Decoder.Thresholds[0].On);
    }

    [Fact]
    public async Task PauseAsync_SchedulerStopped_Unavailable()
    {
        using var rig = new ControlRig(streams: 1);
        rig.Scheduler.Run(frameLimit: 0, new CancellationToken(canceled: true));

        var refusal = await Assert.ThrowsAsync<ControlException>(() => rig.Control.PauseAsync("cam0"));

        Assert.Equal((ControlErrorKind.Unavailable, "the pipeline has stopped: expected a running pipeline"), (refusal.Kind, refusal.Message));
    }

    [Fact]
    public async Task PauseAsync_CancelledBeforeTheFrameThreadTookIt_WithdrawnAndNothingChanged()
    {
        using var rig = new ControlRig(streams: 1);
        using var cancel = new CancellationTokenSource();

        var pause = rig.Control.PauseAsync("cam0", cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pause);
        rig.Rounds(2);
        Assert.Equal(2, rig.Log.Of("cam0").Count(report => report.Message is not null));
        Assert.False(rig.Control.Status().Streams[0].Paused);
    }

    [Fact]
    public void Status_HeadsStreamsAndRates()
    {
        using var rig = new ControlRig(streams: 2);
        for (var round = 0; round < 30; round++)
        {
            rig.Round();
            rig.Time.Advance(TimeSpan.FromMilliseconds(99)); // a round every 100 ms: 10 frames per second and stream
        }

        var status = rig.Control.Status();

        Assert.Equal("test-device", status.Device);
        var head = Assert.Single(status.Heads);
        Assert.Equal(("tiny-multilabel", "tiny-multilabel", "fp32", 12, 2), (head.Name, head.Model, head.Precision, head.Sha256Prefix.Length, head.MaxBatch));
        Assert.Equal(["cam0", "cam1"], status.Streams.Select(stream => stream.Id));
        var cam0 = status.Streams[0];
        Assert.Equal(("manual:cam0", true, false, 30L, 10_000.0, "flag"), (cam0.Source, cam0.Connected, cam0.Paused, cam0.Captured, cam0.BudgetMs, cam0.MissPolicy));
        var lane = Assert.Single(cam0.Heads);
        Assert.Equal((30L, 0L, 0L, 0), (lane.Published, lane.Missed, lane.DroppedStale, lane.Level));
        Assert.InRange(lane.Fps, 9.5, 10.5);
        Assert.Equal(1.0, lane.EndToEndP50Ms);
        Assert.Equal(1.0, lane.EndToEndP99Ms);
        Assert.Equal((2, 60L, 60L), (status.Totals.Streams, status.Totals.Captured, status.Totals.Published));
        Assert.InRange(status.Totals.Fps, 19, 21);
    }

    /// <summary>An on and off threshold that turn the label off when it is on at <paramref name="score"/>, or on when it is off.</summary>
    private static (float Threshold, float Off) Flipping(float score, bool on) =>
        on ? ((score + 1) / 2, (score + 1) / 2) : (score / 2, score / 4);
}
