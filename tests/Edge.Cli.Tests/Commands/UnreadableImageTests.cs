using Edge.Cli.Commands;
using CraftedImages = Edge.Testing.CraftedImages;

namespace Edge.Cli.Tests.Commands;

/// <summary>
/// Every verb that reads images (run's images: source, eval's datasets, quantize's calibration set) refuses an image
/// too large by its header before decoding it, and fails on any unreadable image the same way: one line naming the
/// file, exit 4 (quantize's case is in QuantizeCommandTests).
/// </summary>
[Trait("Category", "App")]
public sealed class UnreadableImageTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("edge-unreadable-");
    private readonly TestBundle bundle = TestBundle.Create();

    public void Dispose()
    {
        bundle.Dispose();
        folder.Delete(recursive: true);
    }

    [Fact]
    public void Run_FolderWithAPngOverOpenCvsCap_ExitsSourceFailedNamingIt()
    {
        WriteGood("a.png");
        var giant = CraftedImages.Write(folder.FullName, "png", 40000, 40000);

        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--source", $"images:{folder.FullName}", "--budget-ms", "60000");

        EdgeProcess.AssertOneLineError(result, ExitCode.SourceFailed, $"image {giant} is 40000x40000");
        Assert.Single(result.OutputLines);
    }

    [Fact]
    public void Eval_DatasetWithA20000x20000Png_ExitsSourceFailedBeforeDecoding()
    {
        WriteGood("a.png");
        File.WriteAllBytes(Path.Combine(folder.FullName, "bomb.png"), CraftedImages.Png(20000, 20000));
        var csv = Path.Combine(folder.FullName, "labels.csv");
        File.WriteAllLines(csv, ["image,labels", "a.png,trouser", "bomb.png,bag"]);

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv);

        EdgeProcess.AssertOneLineError(result, ExitCode.SourceFailed, "bomb.png is 20000x20000 (400 megapixels, PNG), over the limit of 50 megapixels");
    }

    [Fact]
    public void Eval_MaxMegapixelsFlag_LowersTheLimit()
    {
        WriteGood("a.png");
        var csv = Path.Combine(folder.FullName, "labels.csv");
        File.WriteAllLines(csv, ["image,labels", "a.png,trouser"]);

        var strict = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv, "--max-megapixels", "1");
        var invalid = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv, "--max-megapixels", "0");

        EdgeProcess.AssertOneLineError(strict, ExitCode.SourceFailed, "a.png is 1200x1000 (1.2 megapixels, PNG), over the limit of 1 megapixels");
        Assert.Equal((int)ExitCode.InvalidArguments, invalid.ExitCode);
        Assert.Contains("--max-megapixels 0 is invalid: expected 1 to 1000", invalid.StandardError, StringComparison.Ordinal);
    }

    private void WriteGood(string name)
    {
        using var image = new OpenCvSharp.Mat(1000, 1200, OpenCvSharp.MatType.CV_8UC3, new OpenCvSharp.Scalar(10, 200, 30));
        Assert.True(OpenCvSharp.Cv2.ImWrite(Path.Combine(folder.FullName, name), image));
    }
}
