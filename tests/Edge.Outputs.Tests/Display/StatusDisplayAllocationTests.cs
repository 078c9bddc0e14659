using Edge.Outputs.Display;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;
using static Edge.Outputs.Tests.Display.StatusDisplayTestFrames;

namespace Edge.Outputs.Tests.Display;

/// <summary>Runs with the other allocation tests, alone, for the reasons given on <see cref="AllocationCollection"/>.</summary>
[Collection(nameof(AllocationCollection))]
public sealed class StatusDisplayAllocationTests
{
    [Fact]
    public void OnFrame_SteadyState_AllocatesNothing()
    {
        // The fake clock never advances, so the display thread stays asleep and cannot trigger a GC mid-measurement.
        using var display = new StatusDisplay(new SimulatedSsd1306(), new DisplaySettings(), Names, new FakeTimeProvider());
        var decoder = DecoderWith(1, 3, 7);
        var stale = Other(0, FrameOutcome.DroppedStale);
        for (var frame = 0; frame < 1000; frame++)
        {
            display.OnFrame(Published(frame, frame % 40, decoder));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var frame = 0; frame < 10_000; frame++)
        {
            display.OnFrame(Published(frame, frame % 40, decoder));
            display.OnFrame(stale);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
