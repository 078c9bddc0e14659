using Edge.Tools.Benchmarking;

namespace Edge.Tools.Tests.Benchmarking;

/// <summary>Runs in the allocation collection (alone, after the parallel tests), for the reasons given there.</summary>
[Collection(nameof(AllocationCollection))]
public sealed class PowerRailsAllocationTests
{
    [Theory]
    [InlineData("hwmon")]
    [InlineData("iio")]
    public void ReadWatts_AfterTheFirstCall_AllocatesNothing(string layout)
    {
        using var root = layout == "hwmon" ? FakeRoot.Orin() : FakeRoot.JetPack4Nano();
        using var rails = PowerRails.Discover(root.Path);
        var watts = new double[rails.Count];
        rails.ReadWatts(watts);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            rails.ReadWatts(watts);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.All(watts, value => Assert.True(value > 0));
    }
}
