using Edge.Runtime.HardFrames;

namespace Edge.Runtime.Tests.HardFrames;

/// <summary>Runs in the allocation collection (alone, after the parallel tests), for the reasons given there.</summary>
[Collection(nameof(AllocationCollection))]
public sealed class HardFrameAllocationTests : IDisposable
{
    private const int WarmUpFrames = 20;
    private const int MeasuredFrames = 200;
    private readonly HardFrameFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Fact]
    public void Offer_NotHardSteadyState_AllocatesNothing()
    {
        using var capture = fixture.Create();
        var frame = HardFrameFixture.Noise(64, 48, 3, 0);
        float[] scores = [0.99f, 0.01f, 0.01f, 0.98f];
        int[] active = [0, 3];
        int[] none = [];
        int[] turned = [3];
        var at = fixture.Time.GetUtcNow();
        for (var i = 0; i < WarmUpFrames; i++)
        {
            Assert.Equal(HardFrameOutcome.NotHard, capture.Offer(frame, scores, active, i == 0 ? active : none, none, at));
        }

        Settle();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < MeasuredFrames; i++)
        {
            // A label turning on every 50 frames (not flicker) exercises the turn history too.
            capture.Offer(frame, scores, active, i % 50 == 0 ? turned : none, i % 50 == 25 ? turned : none, at);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(HardFrameOutcome.NotHard, capture.Offer(frame, scores, active, none, none, at));
    }

    [Fact]
    public void Offer_RateLimitedSteadyState_AllocatesNothing()
    {
        using var capture = fixture.Create(fixture.Options(o => o with { MinInterval = TimeSpan.FromHours(1) }));
        var frame = HardFrameFixture.Noise(64, 48, 3, 0);
        int[] active = [0, 1];
        var at = fixture.Time.GetUtcNow();
        Assert.Equal(HardFrameOutcome.Saved, capture.Offer(frame, HardFrameFixture.NearThreshold, active, [], [], at));
        Assert.True(capture.WaitUntilIdle(TimeSpan.FromSeconds(10)));
        for (var i = 0; i < WarmUpFrames; i++)
        {
            capture.Offer(frame, HardFrameFixture.NearThreshold, active, [], [], at);
        }

        Settle();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < MeasuredFrames; i++)
        {
            capture.Offer(frame, HardFrameFixture.NearThreshold, active, [], [], at);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(WarmUpFrames + MeasuredFrames, capture.RateLimited);
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
