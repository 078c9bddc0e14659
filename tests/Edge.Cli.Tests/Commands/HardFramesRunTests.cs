using Edge.Runtime.HardFrames;
using Edge.Tools.Evaluation.Datasets;

namespace Edge.Cli.Tests.Commands;

[Trait("Category", "App")]
public sealed class HardFramesRunTests
{
    [Fact]
    public void Run_HardFrames_WritesADatasetEdgeEvalCanRead()
    {
        var folder = Path.Combine(Path.GetTempPath(), "edge-hard-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = EdgeProcess.Run(TimeSpan.FromMinutes(2), "run", "--hard-frames", folder, "--source", "synthetic?seed=9&fps=30", "--frames", "120", "--budget-ms", "60000");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("hard frames:", result.StandardError, StringComparison.Ordinal);
            var dataset = DatasetReader.Read(folder);
            Assert.NotEmpty(dataset.Images);
            Assert.All(dataset.Images, image => Assert.True(File.Exists(image.ImagePath)));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData(0.9)]
    [InlineData(0.2)]
    public void CentreOnThreshold_ScoreAtThreshold_IsOneHalf(double threshold)
    {
        Assert.Equal(0.5, HardFrameJudge.CentreOnThreshold(threshold, threshold), 9);
    }

    [Fact]
    public void CentreOnThreshold_CertainScoreAboveAHighThreshold_IsFarFromOneHalf()
    {
        // With a 0.9 threshold a raw distance of 0.1 would call a score of 1.0 uncertain; centred, it is certain.
        Assert.True(HardFrameJudge.CentreOnThreshold(1.0, 0.9) > 0.999);
    }
}
