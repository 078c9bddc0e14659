using Edge.Runtime.Budget;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Tests.HardFrames;
using Microsoft.Extensions.Logging;

namespace Edge.Runtime.Tests.Budget;

/// <summary>The warning for a run in which no frame meets its deadline, driven by a manual clock.</summary>
public sealed class MissedDeadlineWatchTests
{
    private readonly ManualTimeProvider time = new();
    private readonly ListLogger logger = new();

    [Fact]
    public void OnFrame_EveryFrameCancelled_WarnsAfterFiveSecondsThenEachTimeTheStretchDoubles()
    {
        var watch = new MissedDeadlineWatch(1, time, logger);
        var warnedAt = new List<int>();
        for (var i = 0; i <= 600; i++) // one frame every 100 ms for 60 s
        {
            var before = Warnings().Count;
            watch.OnFrame(FrameReports.Of(FrameOutcome.Cancelled, frame: i));
            if (Warnings().Count > before)
            {
                warnedAt.Add(i);
            }

            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal([50, 100, 200, 400], warnedAt);
        Assert.Contains("no frame has met its 1 ms deadline for 5 s: 51 frames (51 cancelled, 0 late, 0 withheld, 0 dropped stale), 0 published (late)", Warnings()[0], StringComparison.Ordinal);
        Assert.Contains("a frame limit counts published label sets only", Warnings()[0], StringComparison.Ordinal);
        Assert.False(watch.AnyMet);
        Assert.Equal(601, watch.Current!.Value.Frames);
    }

    [Fact]
    public void OnFrame_MixOfMisses_CountedByKind()
    {
        var watch = new MissedDeadlineWatch(20, time, logger);
        FrameOutcome[] misses = [FrameOutcome.Cancelled, FrameOutcome.PublishedLate, FrameOutcome.Withheld, FrameOutcome.DroppedStale, FrameOutcome.Skipped];
        for (var i = 0; i < 60; i++)
        {
            watch.OnFrame(FrameReports.Of(misses[i % misses.Length], frame: i));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var warning = Assert.Single(Warnings());
        Assert.Contains("41 frames (11 cancelled, 10 late, 10 withheld, 10 dropped stale), 10 published (late)", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void OnFrame_FrameMeetsItsDeadline_EndsTheStretch_SaysSo_AndTheNextStretchStartsAfresh()
    {
        var watch = new MissedDeadlineWatch(50, time, logger);
        Miss(watch, seconds: 6);
        Assert.Single(Warnings());

        watch.OnFrame(FrameReports.Of(FrameOutcome.Published, frame: 999));

        Assert.Null(watch.Current);
        Assert.True(watch.AnyMet);
        Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Information && entry.Message.Contains("frame 999 met its deadline again", StringComparison.Ordinal));
        Miss(watch, seconds: 4.5);
        Assert.Single(Warnings());
        Assert.Equal(0, watch.Warnings);
    }

    [Fact]
    public void OnFrame_OnlySkippedFrames_NeverWarns()
    {
        var watch = new MissedDeadlineWatch(50, time, logger);
        for (var i = 0; i < 200; i++)
        {
            watch.OnFrame(FrameReports.Of(FrameOutcome.Skipped, frame: i));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Empty(logger.Entries);
        Assert.Null(watch.Current);
    }

    private void Miss(MissedDeadlineWatch watch, double seconds)
    {
        for (var elapsed = 0.0; elapsed <= seconds; elapsed += 0.1)
        {
            watch.OnFrame(FrameReports.Of(FrameOutcome.Cancelled));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }
    }

    private List<string> Warnings() => [.. logger.Entries.Where(entry => entry.Level == LogLevel.Warning).Select(entry => entry.Message)];
}
