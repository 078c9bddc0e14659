using Edge.Cli.Commands;

namespace Edge.Cli.Tests.Commands;

/// <summary>A real clip written by OpenCV's VideoWriter and cut in half, through the real app.</summary>
[Trait("Category", "App")]
public sealed class TruncatedVideoRunTests : IDisposable
{
    private const int Frames = RecordedClips.Frames;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly RecordedClips clips = new();
    private readonly TestBundle bundle = TestBundle.Create();

    public void Dispose()
    {
        bundle.Dispose();
        clips.Dispose();
    }

    [Fact]
    public void Run_AviCutInHalf_PublishesEveryFrameReadThenWarnsAndExitsSourceIncomplete()
    {
        var cut = CutClip();

        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", $"file:{cut}?realtime=false", "--budget-ms", "60000");

        Assert.True(result.ExitCode == (int)ExitCode.SourceIncomplete, result.StandardError);
        var published = result.OutputLines.Length;
        Assert.InRange(published, 20, 40);
        var warning = Assert.Single(result.ErrorLines, line => line.StartsWith("edge: warning:", StringComparison.Ordinal));
        Assert.StartsWith($"edge: warning: video file {cut} is truncated or corrupt: read {published} of the {Frames} frames its container declares", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("edge: error:", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_AviCutInHalf_RefusesToMeasureWithOneLine()
    {
        var cut = CutClip();

        var result = EdgeProcess.Run(Timeout, "bench", "--model", bundle.Directory, "--source", $"file:{cut}", "--frames", "20", "--warmup", "5", "--block", "10", "--budget-ms", "60000");

        EdgeProcess.AssertOneLineError(result, ExitCode.SourceIncomplete, $"video file {cut} is truncated or corrupt");
    }

    private string CutClip() => clips.Cut(clips.Avi, 0.5);
}
