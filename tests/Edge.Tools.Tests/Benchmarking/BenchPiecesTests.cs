using Edge.Camera.Frames;
using Edge.Runtime.Inference;
using Edge.Tools.Benchmarking;

namespace Edge.Tools.Tests.Benchmarking;

public sealed class BenchPiecesTests
{
    [Fact]
    public void LatencySummary_NearestRankPercentilesMeanAndSpread()
    {
        var samples = Enumerable.Range(1, 1000).Select(i => (double)i).Reverse().ToArray();

        var summary = LatencySummary.Of(samples);

        Assert.Equal(1000, summary.Count);
        Assert.Equal(500, summary.P50);
        Assert.Equal(900, summary.P90);
        Assert.Equal(990, summary.P99);
        Assert.Equal(999, summary.P999);
        Assert.Equal(1000, summary.Max);
        Assert.Equal(500.5, summary.Mean, 9);
        Assert.Equal(Math.Sqrt((1000.0 * 1000 - 1) / 12), summary.StdDev, 6);
    }

    [Fact]
    public void LatencySummary_NoSamples_IsNaN()
    {
        var summary = LatencySummary.Of([]);

        Assert.Equal(0, summary.Count);
        Assert.True(double.IsNaN(summary.P50) && double.IsNaN(summary.Mean));
    }

    [Fact]
    public void ParseList_ModelsAndProviders()
    {
        var variants = BenchVariant.ParseList("/m/fp32, /m/int8@cpu ,@cpu", "/default", ExecutionProviderChoice.Auto);

        Assert.Equal(["/m/fp32", "/m/int8@cpu", "@cpu"], variants.Select(v => v.Name));
        Assert.Equal(["/m/fp32", "/m/int8", "/default"], variants.Select(v => v.Model));
        Assert.Equal([ExecutionProviderChoice.Auto, ExecutionProviderChoice.Cpu, ExecutionProviderChoice.Cpu], variants.Select(v => v.Ep));
    }

    [Theory]
    [InlineData("a,a", "twice")]
    [InlineData("a,,b", "empty item")]
    [InlineData("a@npu,b", "'npu'")]
    [InlineData("a", "one configuration")]
    public void ParseList_BadLists_SayWhatIsWrong(string text, string mentions)
    {
        var error = Assert.Throws<FormatException>(() => BenchVariant.ParseList(text, "/default", ExecutionProviderChoice.Cpu));

        Assert.Contains(mentions, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Player_FixedRate_HandsOverFramesOnSchedule_StampedAtHandOver()
    {
        var frames = Enumerable.Range(0, 3).Select(i => { var f = new Frame(4, 4); f.PixelSpan.Fill((byte)i); return f; }).ToList();
        using var player = new FramePlayer(frames);
        var slot = new FrameSlot(() => new Frame(4, 4));
        var stamps = new List<long>();
        var firstBytes = new List<byte>();

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        player.Play(slot, 5, framesPerSecond: 50);
        for (var taken = 0; taken + slot.Overwritten < 5; taken++)
        {
            var frame = slot.Take(CancellationToken.None)!;
            stamps.Add(frame.CapturedAt);
            firstBytes.Add(frame.Pixels[0]);
        }

        player.WaitForBlockEnd();
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Assert.Equal(0, slot.Overwritten);
        Assert.Equal([0, 1, 2, 0, 1], firstBytes);
        Assert.True(stamps.SequenceEqual(stamps.Order()));
        Assert.InRange(elapsed, 75, 2000); // four periods of 20 ms after the first frame
    }

    [Fact]
    public void Player_MaxRate_WaitsForEachFrameToBeDone()
    {
        using var player = new FramePlayer([new Frame(2, 2)]);
        var slot = new FrameSlot(() => new Frame(2, 2));

        player.Play(slot, 3, framesPerSecond: 0);
        var first = slot.Take(CancellationToken.None)!.Sequence;
        Thread.Sleep(50);
        Assert.Equal(0, slot.Overwritten); // no second frame until this one is done
        player.FrameDone();
        var second = slot.Take(CancellationToken.None)!.Sequence;
        player.FrameDone();
        var third = slot.Take(CancellationToken.None)!.Sequence;
        player.FrameDone();
        player.WaitForBlockEnd();

        Assert.Equal([1L, 2L, 3L], new[] { first, second, third });
        Assert.Equal(0, player.AllocatedBytes);
    }
}
