using System.Device.Gpio;
using Edge.Outputs.Gpio;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Outputs.Tests.Gpio;

public sealed class GpioOutputsTests
{
    private const int Person = 0;
    private const int Car = 1;

    private readonly FakeTimeProvider time = new();
    private readonly GpioBench bench;

    public GpioOutputsTests() => bench = new GpioBench(time);

    [Fact]
    public void OnFrame_ActiveHighRule_DrivesLineHighWhileLabelActive()
    {
        using var outputs = bench.Open(Rules(new GpioRule { Label = "person", Line = GpioBench.Line(43) }));
        Assert.Equal(PinValue.Low, bench.Main.ValueOf(43));

        outputs.OnFrame(bench.Labels(Person));
        Assert.Equal(PinValue.High, bench.Main.ValueOf(43));
        outputs.OnFrame(bench.Labels(Person, Car));
        outputs.OnFrame(bench.Labels(Car));

        Assert.Equal([PinValue.High, PinValue.Low], bench.Main.WritesTo(43).Select(w => w.Value));
    }

    [Fact]
    public void OnFrame_ActiveLowRule_IdlesHighAndDrivesLowWhileLabelActive()
    {
        using var outputs = bench.Open(Rules(new GpioRule { Label = "car", Line = GpioBench.Line(50), ActiveLow = true }));
        Assert.Equal(PinValue.High, bench.Main.ValueOf(50));
        Assert.Equal(PinMode.Output, bench.Main.ModeOf(50));

        outputs.OnFrame(bench.Labels(Car));
        Assert.Equal(PinValue.Low, bench.Main.ValueOf(50));
        outputs.OnFrame(bench.Labels());

        Assert.Equal([PinValue.Low, PinValue.High], bench.Main.WritesTo(50).Select(w => w.Value));
    }

    [Fact]
    public void OnFrame_LabelOffBeforeMinOnTime_KeepsLineOnUntilMinOnTimeHasPassed()
    {
        using var outputs = bench.Open(Rules(new GpioRule { Label = "person", Line = GpioBench.Line(43), MinOnMs = 200 }));

        outputs.OnFrame(bench.Labels(Person));
        Advance(50);
        outputs.OnFrame(bench.Labels());
        Advance(100);
        outputs.OnFrame(bench.Labels());
        Assert.Equal(PinValue.High, bench.Main.ValueOf(43));
        Advance(50);
        outputs.OnFrame(bench.Labels());

        Assert.Equal([(PinValue.High, 0.0), (PinValue.Low, 200.0)], bench.Main.WritesTo(43).Select(w => (w.Value, w.At.TotalMilliseconds)));
    }

    [Fact]
    public void Tick_FramesStoppedDuringMinOnTime_TurnsLineOffWhenItEnds()
    {
        using var outputs = bench.Open(Rules(new GpioRule { Label = "person", Line = GpioBench.Line(43), MinOnMs = 200 }));
        outputs.OnFrame(bench.Labels(Person));
        Advance(10);
        outputs.OnFrame(bench.Labels());

        Advance(180);
        outputs.Tick();
        Assert.Equal(PinValue.High, bench.Main.ValueOf(43));
        Advance(10);
        outputs.Tick();

        Assert.Equal(PinValue.Low, bench.Main.ValueOf(43));
        Assert.Equal(200.0, bench.Main.WritesTo(43).Last().At.TotalMilliseconds);
    }

    [Fact]
    public void OnFrame_QuickRetriggerWithinHoldOff_IsSuppressed()
    {
        using var outputs = bench.Open(Rules(new GpioRule { Label = "person", Line = GpioBench.Line(43), HoldOffMs = 300 }));
        outputs.OnFrame(bench.Labels(Person));
        Advance(10);
        outputs.OnFrame(bench.Labels());

        Advance(100);
        outputs.OnFrame(bench.Labels(Person));
        Advance(50);
        outputs.OnFrame(bench.Labels());
        Advance(500);
        outputs.Tick();

        Assert.Equal([PinValue.High, PinValue.Low], bench.Main.WritesTo(43).Select(w => w.Value));
    }

    [Fact]
    public void Tick_LabelStillActiveWhenHoldOffEnds_TurnsLineOnThen()
    {
        using var outputs = bench.Open(Rules(new GpioRule { Label = "person", Line = GpioBench.Line(43), HoldOffMs = 300 }));
        outputs.OnFrame(bench.Labels(Person));
        Advance(10);
        outputs.OnFrame(bench.Labels());
        Advance(100);
        outputs.OnFrame(bench.Labels(Person));
        Assert.Equal(PinValue.Low, bench.Main.ValueOf(43));

        Advance(200);
        outputs.Tick();

        Assert.Equal([(PinValue.High, 0.0), (PinValue.Low, 10.0), (PinValue.High, 310.0)], bench.Main.WritesTo(43).Select(w => (w.Value, w.At.TotalMilliseconds)));
    }

    [Fact]
    public void OnFrame_UndecodedFrame_KeepsLabelLines()
    {
        using var outputs = bench.Open(Rules(new GpioRule { Label = "person", Line = GpioBench.Line(43) }));
        outputs.OnFrame(bench.Labels(Person));

        outputs.OnFrame(bench.Undecoded(FrameOutcome.DroppedStale));
        outputs.OnFrame(bench.Undecoded(FrameOutcome.Skipped));

        Assert.Equal(PinValue.High, bench.Main.ValueOf(43));
        Assert.Single(bench.Main.WritesTo(43));
    }

    [Fact]
    public void OnFrame_RulesOnBothChips_EachDrivesItsOwnLine()
    {
        using var outputs = bench.Open(Rules(
            new GpioRule { Label = "person", Line = GpioBench.Line(43) },
            new GpioRule { Label = "dog", Line = GpioBench.Line(9, "tegra234-gpio-aon") }));

        outputs.OnFrame(bench.Labels(2));

        Assert.Equal(PinValue.Low, bench.Main.ValueOf(43));
        Assert.Equal(PinValue.High, bench.AlwaysOn.ValueOf(9));
    }

    [Fact]
    public void OnFrame_FramesArriving_HeartbeatTogglesAtTheConfiguredRate()
    {
        using var outputs = bench.Open(new GpioSettings { Heartbeat = GpioBench.Line(18), HeartbeatHz = 2 });

        for (var t = 0; t < 2000; t += 50)
        {
            outputs.OnFrame(bench.Labels());
            Advance(50);
        }

        var writes = bench.Main.WritesTo(18).ToList();
        Assert.Equal([0.0, 250, 500, 750, 1000, 1250, 1500, 1750], writes.Select(w => w.At.TotalMilliseconds));
        Assert.Equal(writes.Select((_, i) => i % 2 == 0 ? PinValue.High : PinValue.Low), writes.Select(w => w.Value));
    }

    [Fact]
    public void Tick_FramesStopped_HeartbeatGoesInactiveAndStaysThere()
    {
        using var outputs = bench.Open(new GpioSettings { Heartbeat = GpioBench.Line(18), HeartbeatHz = 4 });
        outputs.OnFrame(bench.Labels());
        Advance(130);
        outputs.OnFrame(bench.Labels());
        Assert.Equal(PinValue.Low, bench.Main.ValueOf(18));
        Advance(130);
        outputs.OnFrame(bench.Labels());
        Assert.Equal(PinValue.High, bench.Main.ValueOf(18));

        for (var i = 0; i < 300; i++)
        {
            Advance(5);
            outputs.Tick();
        }

        // Still blinking (every 125 ms from the last frame at 260 ms) until a second without frames, then off.
        Assert.Equal([0.0, 130, 260, 375, 500, 625, 750, 875, 1000, 1125, 1250, 1260], bench.Main.WritesTo(18).Select(w => w.At.TotalMilliseconds));
        Assert.Equal(PinValue.Low, bench.Main.ValueOf(18));
    }

    [Theory]
    [InlineData(FrameOutcome.PublishedLate)]
    [InlineData(FrameOutcome.Withheld)]
    [InlineData(FrameOutcome.Cancelled)]
    public void OnFrame_DeadlineMissed_AlertActiveForTheHoldThenOff(FrameOutcome outcome)
    {
        using var outputs = bench.Open(new GpioSettings { DeadlineAlert = GpioBench.Line(12, "tegra234-gpio-aon"), AlertHoldMs = 500 });
        outputs.OnFrame(bench.Labels());
        Advance(100);

        outputs.OnFrame(outcome == FrameOutcome.PublishedLate ? bench.Frame(outcome) : bench.Undecoded(outcome));
        Advance(499);
        outputs.Tick();
        Assert.Equal(PinValue.High, bench.AlwaysOn.ValueOf(12));
        Advance(1);
        outputs.Tick();

        Assert.Equal([(PinValue.High, 100.0), (PinValue.Low, 600.0)], bench.AlwaysOn.WritesTo(12).Select(w => (w.Value, w.At.TotalMilliseconds)));
    }

    [Theory]
    [InlineData(FrameOutcome.Published)]
    [InlineData(FrameOutcome.DroppedStale)]
    [InlineData(FrameOutcome.Skipped)]
    public void OnFrame_DeadlineNotMissed_AlertStaysOff(FrameOutcome outcome)
    {
        using var outputs = bench.Open(new GpioSettings { DeadlineAlert = GpioBench.Line(12) });

        outputs.OnFrame(outcome == FrameOutcome.Published ? bench.Labels() : bench.Undecoded(outcome));

        Assert.Empty(bench.Main.WritesTo(12));
    }

    [Fact]
    public void OnFrame_AnotherMissDuringTheHold_ExtendsIt()
    {
        using var outputs = bench.Open(new GpioSettings { DeadlineAlert = GpioBench.Line(12), AlertHoldMs = 500 });
        outputs.OnFrame(bench.Frame(FrameOutcome.PublishedLate));
        Advance(300);
        outputs.OnFrame(bench.Frame(FrameOutcome.PublishedLate));
        Advance(300);
        outputs.OnFrame(bench.Labels());
        Assert.Equal(PinValue.High, bench.Main.ValueOf(12));
        Advance(200);
        outputs.Tick();

        Assert.Equal([(PinValue.High, 0.0), (PinValue.Low, 800.0)], bench.Main.WritesTo(12).Select(w => (w.Value, w.At.TotalMilliseconds)));
    }

    [Theory]
    [InlineData(false, 1, true)]
    [InlineData(false, 0, false)]
    [InlineData(true, 0, true)]
    [InlineData(true, 1, false)]
    public void IsTriggered_ReadsTheInputAtItsActiveLevel(bool activeLow, int level, bool triggered)
    {
        using var outputs = bench.Open(new GpioSettings { Trigger = GpioBench.Line(7, "tegra234-gpio-aon"), TriggerActiveLow = activeLow });
        bench.AlwaysOn.Inputs[7] = level == 1 ? PinValue.High : PinValue.Low;

        Assert.True(outputs.HasTrigger);
        Assert.Equal(PinMode.Input, bench.AlwaysOn.ModeOf(7));
        Assert.Equal(triggered, outputs.IsTriggered);
    }

    [Fact]
    public void IsTriggered_NoTriggerConfigured_IsAlwaysTrue()
    {
        using var outputs = bench.Open(new GpioSettings());

        Assert.False(outputs.HasTrigger);
        Assert.True(outputs.IsTriggered);
    }

    [Fact]
    public void StartTicking_FramesStop_TimerStillTurnsLinesOff()
    {
        using var outputs = bench.Open(new GpioSettings
        {
            Rules = [new GpioRule { Label = "person", Line = GpioBench.Line(43), MinOnMs = 100 }],
            Heartbeat = GpioBench.Line(18),
        });
        outputs.StartTicking(TimeSpan.FromMilliseconds(10));
        outputs.OnFrame(bench.Labels(Person));
        outputs.OnFrame(bench.Labels());

        Advance(100);
        Assert.Equal(PinValue.Low, bench.Main.ValueOf(43));
        Advance(1000);
        Assert.Equal(PinValue.Low, bench.Main.ValueOf(18));
    }

    [Fact]
    public void Dispose_DrivesOutputsInactiveAndReleasesTheChips()
    {
        var outputs = bench.Open(new GpioSettings
        {
            Rules = [new GpioRule { Label = "person", Line = GpioBench.Line(43), ActiveLow = true, MinOnMs = 1000 }],
            Heartbeat = GpioBench.Line(18),
            DeadlineAlert = GpioBench.Line(1, "tegra234-gpio-aon"),
        });
        outputs.OnFrame(bench.Frame(FrameOutcome.PublishedLate, Person));

        outputs.Dispose();
        outputs.OnFrame(bench.Labels(Person));

        Assert.Equal(PinValue.High, bench.Main.ValueOf(43));
        Assert.Equal(PinValue.Low, bench.Main.ValueOf(18));
        Assert.Equal(PinValue.Low, bench.AlwaysOn.ValueOf(1));
        Assert.True(bench.Main.Disposed);
        Assert.True(bench.AlwaysOn.Disposed);
        Assert.Empty(bench.Main.OpenLines);
    }

    [Theory]
    [InlineData(JetsonDevKit.OrinNano, 144)]
    [InlineData(JetsonDevKit.AgxOrin, 106)]
    public void Constructor_HeaderPin_OpensTheDevKitsLine(JetsonDevKit kit, int line)
    {
        using var outputs = bench.Open(Rules(new GpioRule { Label = "person", Line = new GpioLineSpec { HeaderPin = 7 } }), kit);

        outputs.OnFrame(bench.Labels(Person));

        Assert.Equal([line], bench.Main.OpenLines);
        Assert.Equal(PinValue.High, bench.Main.ValueOf(line));
    }

    [Fact]
    public void Constructor_DevKitSetting_OverridesTheDetectedKit()
    {
        var settings = Rules(new GpioRule { Label = "person", Line = new GpioLineSpec { HeaderPin = 16 } });
        settings.DevKit = "agx-orin";

        using var outputs = bench.Open(settings, JetsonDevKit.OrinNano);

        Assert.Equal([9], bench.AlwaysOn.OpenLines);
        Assert.Empty(bench.Main.OpenLines);
    }

    private static GpioSettings Rules(params GpioRule[] rules) => new() { Rules = [.. rules] };

    private void Advance(double milliseconds) => time.Advance(TimeSpan.FromMilliseconds(milliseconds));
}
