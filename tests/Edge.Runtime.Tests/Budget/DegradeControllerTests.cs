using Edge.Runtime.Budget;
using Edge.Runtime.Options;

namespace Edge.Runtime.Tests.Budget;

public sealed class DegradeControllerTests
{
    private const double BudgetMs = 100;

    private static readonly DegradeOptions Options = new()
    {
        WindowFrames = 10,
        MissRateToDegrade = 0.2,
        HeadroomFraction = 0.5,
        RecoverFrames = 20,
        Ladder = [new() { Name = "half", FrameStride = 2 }, new() { Name = "third", FrameStride = 3 }],
    };

    [Fact]
    public void SustainedMisses_StepDownOneLevelPerWindow()
    {
        var controller = new DegradeController(Options, BudgetMs);

        var changes = Feed(controller, 30, missed: true, latencyMs: 150);

        Assert.Equal([(9, LevelChange.Degraded), (19, LevelChange.Degraded)], changes);
        Assert.Equal(2, controller.Level);
    }

    [Fact]
    public void MissRateAtTheThreshold_DoesNotDegrade()
    {
        var controller = new DegradeController(Options, BudgetMs);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(LevelChange.None, controller.Observe(missed: i % 5 == 0, 40)); // exactly 20 % missed
        }

        Assert.Equal(0, controller.Level);
    }

    [Fact]
    public void SustainedHeadroom_StepsBackUp_AfterRecoverFrames()
    {
        var controller = new DegradeController(Options, BudgetMs);
        Feed(controller, 10, missed: true, latencyMs: 150);
        Assert.Equal(1, controller.Level);

        var changes = Feed(controller, 25, missed: false, latencyMs: 30);

        Assert.Equal([(19, LevelChange.Recovered)], changes);
        Assert.Equal(0, controller.Level);
    }

    [Fact]
    public void OnTimeFramesWithoutHeadroom_DoNotRecover()
    {
        var controller = new DegradeController(Options, BudgetMs);
        Feed(controller, 10, missed: true, latencyMs: 150);

        var changes = Feed(controller, 200, missed: false, latencyMs: 80); // met, but above 50 % of the budget

        Assert.Empty(changes);
        Assert.Equal(1, controller.Level);
    }

    [Fact]
    public void LoadAtTheEdge_DoesNotFlap_RecoveryWaitsLongerEachTimeItFails()
    {
        var controller = new DegradeController(Options, BudgetMs);
        var level0Frames = 0;
        var changes = 0;

        // At level 0 every frame misses; at level 1 every frame has headroom: the worst case for flapping.
        for (var i = 0; i < 2000; i++)
        {
            var atFullRate = controller.Level == 0;
            level0Frames += atFullRate ? 1 : 0;
            if (controller.Observe(missed: atFullRate, atFullRate ? 150 : 30) != LevelChange.None)
            {
                changes++;
            }
        }

        // Without back-off it would change every 10 + 20 frames (~130 changes); with it, the recoveries space out.
        Assert.InRange(changes, 2, 24);
        Assert.True(level0Frames < 2000 / 8, $"{level0Frames} of 2000 frames ran at the level that cannot keep up");
    }

    [Fact]
    public void RecoveryThatHolds_ResetsTheBackoff()
    {
        var controller = new DegradeController(Options, BudgetMs);
        Feed(controller, 10, missed: true, latencyMs: 150); // level 1
        Feed(controller, 20, missed: false, latencyMs: 30); // back to 0
        Feed(controller, 10, missed: true, latencyMs: 150); // fails at once: level 1, next recovery doubled
        Assert.Equal(1, controller.Level);
        Assert.Equal(40, controller.FramesToRecover);

        Feed(controller, 40, missed: false, latencyMs: 30); // level 0
        Feed(controller, 40, missed: false, latencyMs: 30); // holds for 4 windows
        Feed(controller, 10, missed: true, latencyMs: 150); // level 1 again, long after

        Assert.Equal(1, controller.Level);
        Assert.Equal(20, controller.FramesToRecover);
    }

    [Fact]
    public void AtTheBottomOfTheLadder_StaysThere()
    {
        var controller = new DegradeController(Options, BudgetMs);

        Feed(controller, 500, missed: true, latencyMs: 150);

        Assert.Equal(2, controller.Level);
    }

    [Theory]
    [InlineData(0, 0.2, 0.5, 20, "window_frames")]
    [InlineData(10, 1.0, 0.5, 20, "miss_rate_to_degrade")]
    [InlineData(10, 0.2, 0, 20, "headroom_fraction")]
    [InlineData(10, 0.2, 0.5, 0, "recover_frames")]
    public void Validate_OutOfRange_NamesTheSetting(int window, double missRate, double headroom, int recover, string key)
    {
        var options = new DegradeOptions { WindowFrames = window, MissRateToDegrade = missRate, HeadroomFraction = headroom, RecoverFrames = recover };

        var error = Assert.Throws<SettingException>(options.Validate);

        Assert.Equal($"degrade.{key}", error.Key);
    }

    [Fact]
    public void Validate_StepThatChangesNothing_IsRefused()
    {
        var options = new DegradeOptions { Ladder = [new() { Name = "same" }] };

        var error = Assert.Throws<SettingException>(options.Validate);

        Assert.Equal("degrade.ladder[0]", error.Key);
    }

    private static List<(int Frame, LevelChange Change)> Feed(DegradeController controller, int frames, bool missed, double latencyMs)
    {
        var changes = new List<(int, LevelChange)>();
        for (var i = 0; i < frames; i++)
        {
            var change = controller.Observe(missed, latencyMs);
            if (change != LevelChange.None)
            {
                changes.Add((i, change));
            }
        }

        return changes;
    }
}
