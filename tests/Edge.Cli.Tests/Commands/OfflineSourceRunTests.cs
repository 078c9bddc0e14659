namespace Edge.Cli.Tests.Commands;

/// <summary>Offline sources through the real app: every frame of a folder is processed, in order, none overwritten.</summary>
[Trait("Category", "App")]
public sealed class OfflineSourceRunTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public void Run_ImageFolderSlowerPipeline_PublishesEveryImageInOrderWithNoneOverwritten()
    {
        const int Images = 30;
        var folder = Directory.CreateTempSubdirectory("edge-lossless-");
        try
        {
            for (var index = 0; index < Images; index++)
            {
                using var image = new OpenCvSharp.Mat(40, 48, OpenCvSharp.MatType.CV_8UC3, new OpenCvSharp.Scalar(index * 8, 100, 30));
                OpenCvSharp.Cv2.ImWrite(Path.Combine(folder.FullName, $"{index:D3}.png"), image);
            }

            using var bundle = TestBundle.Create();
            var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", $"images:{folder.FullName}",
                "--budget-ms", "60000", "--inject-delay", "inference=15");

            Assert.True(result.ExitCode == 0, result.StandardError);
            var frames = result.OutputLines.Select(FrameNumber).ToArray();
            Assert.Equal(Images, frames.Length);
            Assert.Equal(frames.Order(), frames);
            Assert.Contains("overwritten before use 0", result.StandardError);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Run_ImageFolderWithUnknownHandoff_ExitsWithOneLineNamingTheOption()
    {
        var folder = Directory.CreateTempSubdirectory("edge-lossless-");
        try
        {
            using var image = new OpenCvSharp.Mat(40, 48, OpenCvSharp.MatType.CV_8UC3, new OpenCvSharp.Scalar(1, 2, 3));
            OpenCvSharp.Cv2.ImWrite(Path.Combine(folder.FullName, "a.png"), image);
            using var bundle = TestBundle.Create();

            var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", $"images:{folder.FullName}?handoff=queue");

            Assert.NotEqual(0, result.ExitCode);
            Assert.Single(result.ErrorLines, line => line.Contains("handoff", StringComparison.Ordinal));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static long FrameNumber(string line)
    {
        using var document = System.Text.Json.JsonDocument.Parse(line);
        return document.RootElement.GetProperty("frame").GetInt64();
    }
}
