using System.Text;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Runtime.Tests.Publishing;

public sealed class LabelSetLinesOutputTests : IDisposable
{
    private readonly string runPath = Path.GetTempFileName();
    private readonly string rearPath = Path.GetTempFileName();

    public void Dispose()
    {
        File.Delete(runPath);
        File.Delete(rearPath);
    }

    [Fact]
    public void OnFrame_StreamWithItsOwnLines_WritesThereAndTheOthersToTheRunsLines()
    {
        using (var run = Open(runPath))
        using (var rear = Open(rearPath))
        {
            var output = new LabelSetLinesOutput(run, new Dictionary<string, JsonLinesSink> { ["rear"] = rear, ["left"] = rear });

            output.OnFrame(Report("cam0", 1));
            output.OnFrame(Report("rear", 2));
            output.OnFrame(Report("left", 3));
            output.OnFrame(Report("right", 4));
        }

        Assert.Equal(["""{"stream":"cam0","frame":1}""", """{"stream":"right","frame":4}"""], File.ReadAllLines(runPath));
        Assert.Equal(["""{"stream":"rear","frame":2}""", """{"stream":"left","frame":3}"""], File.ReadAllLines(rearPath));
    }

    [Fact]
    public void OnFrame_NoRoutes_WritesEveryStreamToTheRunsLines()
    {
        using (var run = Open(runPath))
        {
            var output = new LabelSetLinesOutput(run);

            output.OnFrame(Report("cam0", 1));
            output.OnFrame(Report("rear", 2));
            output.OnFrame(FrameReports.Of(FrameOutcome.DroppedStale, stream: "rear")); // nothing published: no line
        }

        Assert.Equal(2, File.ReadAllLines(runPath).Length);
    }

    /// <summary>A report carrying a published message, built once (the pipeline reuses its buffer the same way).</summary>
    internal static FrameReport Report(string stream, long frame) =>
        FrameReports.Of(FrameOutcome.Published, frame, stream: stream) with { Message = Encoding.UTF8.GetBytes($$"""{"stream":"{{stream}}","frame":{{frame}}}""" + "\n") };

    private static JsonLinesSink Open(string path) => JsonLinesSink.Open(path, new ManualTimeProvider(), NullLogger.Instance);
}
