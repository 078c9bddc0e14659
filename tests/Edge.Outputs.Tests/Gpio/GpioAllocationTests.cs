using Edge.Outputs.Gpio;
using Edge.Runtime.Pipeline;

namespace Edge.Outputs.Tests.Gpio;

[Collection(nameof(AllocationCollection))]
public sealed class GpioAllocationTests
{
    private const int WarmUpFrames = 50;
    private const int MeasuredFrames = 300;

    [Fact]
    public void OnFrame_SteadyState_AllocatesNothing()
    {
        var time = new ManualTimeProvider(); // FakeTimeProvider allocates when it advances
        var bench = new GpioBench(time);
        using var outputs = bench.Open(new GpioSettings
        {
            Rules =
            [
                new GpioRule { Label = "person", Line = GpioBench.Line(43), MinOnMs = 100 },
                new GpioRule { Label = "car", Line = GpioBench.Line(50), ActiveLow = true, HoldOffMs = 200 },
                new GpioRule { Label = "dog", Line = GpioBench.Line(9, "tegra234-gpio-aon") },
            ],
            Heartbeat = GpioBench.Line(18),
            HeartbeatHz = 5,
            DeadlineAlert = GpioBench.Line(8, "tegra234-gpio-aon"),
            AlertHoldMs = 150,
        });
        for (var i = 0; i < WarmUpFrames; i++)
        {
            Frame(bench, outputs, time, i);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var writesBefore = bench.Main.Writes.Count + bench.AlwaysOn.Writes.Count;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = WarmUpFrames; i < WarmUpFrames + MeasuredFrames; i++)
        {
            Frame(bench, outputs, time, i);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Equal(0, allocated);
        Assert.True(bench.Main.Writes.Count + bench.AlwaysOn.Writes.Count - writesBefore > 100, "the measured frames switched lines");
    }

    /// <summary>Labels and outcomes cycling at different periods, so every output switches during the run.</summary>
    private static void Frame(GpioBench bench, GpioOutputs outputs, ManualTimeProvider time, int sequence)
    {
        time.Advance(TimeSpan.FromMilliseconds(33));
        var outcome = sequence % 11 == 0 ? FrameOutcome.PublishedLate : FrameOutcome.Published;
        var report = (sequence % 3, sequence % 7 < 3) switch
        {
            (0, true) => bench.Frame(outcome, 0, 1),
            (0, false) => bench.Frame(outcome, 0, 2),
            (1, _) => bench.Frame(outcome, 1),
            _ => bench.Frame(outcome),
        };
        outputs.OnFrame(report);
        if (sequence % 4 == 0)
        {
            outputs.Tick();
        }
    }
}
