using Edge.Runtime.Budget;
using Edge.Runtime.Inference;
using Edge.Tools.Benchmarking;
using Edge.Tools.Benchmarking.Viewers;

namespace Edge.Tools.Tests.Benchmarking.Viewers;

public sealed class ViewerBenchTests : IDisposable
{
    private readonly TestBundle bundle = TestBundle.Create();

    public void Dispose() => bundle.Dispose();

    [Fact]
    public void Run_ZeroAndThreeViewers_MeasuresBothCountsInTurns_OnlyWatchedWindowsEncode()
    {
        var result = Run([0, 3]);

        Assert.Equal([0, 3], result.Counts.Select(count => count.Viewers));
        foreach (var count in result.Counts)
        {
            Assert.Equal(3, count.Windows);
            Assert.Equal(60, count.Frames);
            // At a camera's fixed rate a frame may be overwritten before it is taken, on a loaded machine.
            Assert.InRange(count.Published, 50, 60);
            Assert.True(count.Fps > 0);
            Assert.Equal(count.Published, count.EndToEnd.Count);
        }

        var none = result.Counts[0];
        var three = result.Counts[1];
        Assert.Equal(0, none.JpegPerSecond);
        Assert.Equal(0, none.FpsPerReader);
        Assert.True(three.JpegPerSecond > 0, "frames were encoded while viewers watched");
        Assert.True(three.FpsPerReader > 0, "the reading viewers received frames");
        Assert.Equal((64, 64), result.FrameSize);

        var table = new StringWriter();
        ViewerBenchTable.Print(table, result);
        Assert.Contains("published fps with 3 viewers (one stalled) vs 0: ", table.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0,10", new[] { 0, 10 })]
    [InlineData(" 10 , 0 ,1", new[] { 10, 0, 1 })]
    public void ParseCounts_ValidList_KeepsTheOrder(string text, int[] expected) =>
        Assert.Equal(expected, ViewerBenchOptions.ParseCounts(text));

    [Theory]
    [InlineData("0,33", "--viewers '0,33' has '33': expected viewer counts from 0 to 32, comma-separated (e.g. 0,10)")]
    [InlineData("0,-1", "--viewers '0,-1' has '-1': expected viewer counts from 0 to 32")]
    [InlineData("0,,1", "--viewers '0,,1' has '': expected viewer counts")]
    [InlineData("10,10", "--viewers '10,10' names 10 twice: expected each count once")]
    public void ParseCounts_BadList_SaysWhatWasExpected(string text, string message) =>
        Assert.StartsWith(message, Assert.Throws<FormatException>(() => ViewerBenchOptions.ParseCounts(text)).Message, StringComparison.Ordinal);

    private ViewerBenchResult Run(IReadOnlyList<int> counts)
    {
        var options = new ViewerBenchOptions
        {
            Bench = new BenchOptions
            {
                Variants = [new BenchVariant("tiny", bundle.Directory, ExecutionProviderChoice.Cpu)],
                Source = "synthetic?size=64",
                Frames = 60,
                BlockFrames = 20,
                WarmUpFrames = 5,
                Rate = 100,
                BudgetMs = 60_000,
                MissPolicy = MissPolicy.Flag,
                PlaybackFrames = 4,
            },
            ViewerCounts = counts,
        };
        using var bench = new ViewerBench(options);
        return bench.Run();
    }
}
