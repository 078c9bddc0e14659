using Edge.Camera.Frames;
using Edge.Camera.Sources;
using OpenCvSharp;

namespace Edge.Camera.Tests;

public sealed class ImageFolderSourceTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private void WriteSolid(string name, Scalar colour, MatType type)
    {
        using var image = new Mat(6, 8, type, colour);
        Assert.True(Cv2.ImWrite(Path.Combine(folder.Path, name), image), $"could not write {name}");
    }

    private static (byte B, byte G, byte R) PixelAt(Frame frame, int x, int y)
    {
        var offset = ((y * frame.Width) + x) * 3;
        return (frame.Pixels[offset], frame.Pixels[offset + 1], frame.Pixels[offset + 2]);
    }

    [Fact]
    public void Read_Folder_GivesImagesInOrdinalNameOrderWithExactPixels()
    {
        WriteSolid("frame10.png", new Scalar(200, 10, 20), MatType.CV_8UC3);
        WriteSolid("frame02.png", new Scalar(1, 2, 3), MatType.CV_8UC3);
        WriteSolid("frame01.png", new Scalar(30, 40, 50), MatType.CV_8UC3);
        WriteSolid("frame03.png", new Scalar(77), MatType.CV_8UC1);
        WriteSolid("frame04.png", new Scalar(9, 8, 7, 100), MatType.CV_8UC4);
        File.WriteAllText(Path.Combine(folder.Path, "labels.csv"), "image,labels\n");
        using var source = FrameSources.Create($"images:{folder.Path}");
        var frame = new Frame(1, 1);
        frame.SetTruth([3]);
        source.Open();

        var seen = new List<(byte, byte, byte)>();
        while (source.Read(frame) == FrameReadResult.Frame)
        {
            Assert.Equal(8, frame.Width);
            Assert.Equal(6, frame.Height);
            Assert.False(frame.HasTruth);
            seen.Add(PixelAt(frame, 7, 5));
        }

        Assert.Equal([(30, 40, 50), (1, 2, 3), (77, 77, 77), (9, 8, 7), (200, 10, 20)], seen);
        Assert.Equal(FrameReadResult.EndOfStream, source.Read(frame));
    }

    [Fact]
    public void Read_LoopTrue_StartsOverAfterTheLastImage()
    {
        WriteSolid("a.png", new Scalar(10, 10, 10), MatType.CV_8UC3);
        WriteSolid("b.bmp", new Scalar(20, 20, 20), MatType.CV_8UC3);
        using var source = FrameSources.Create($"images:{folder.Path}?loop=true");
        var frame = new Frame(1, 1);
        source.Open();

        var seen = new List<byte>();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(FrameReadResult.Frame, source.Read(frame));
            seen.Add(frame.Pixels[0]);
        }

        Assert.Equal([10, 20, 10, 20, 10], seen);
    }

    [Fact]
    public void Read_CorruptPng_ThrowsNamingTheFile()
    {
        WriteSolid("0001.png", new Scalar(1, 1, 1), MatType.CV_8UC3);
        var corrupt = Path.Combine(folder.Path, "0002.png");
        File.WriteAllBytes(corrupt, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4, 5, 6, 7, 8]);
        using var source = FrameSources.Create($"images:{folder.Path}");
        var frame = new Frame(1, 1);
        source.Open();
        Assert.Equal(FrameReadResult.Frame, source.Read(frame));

        var error = Assert.Throws<FrameSourceException>(() => source.Read(frame));

        Assert.StartsWith($"cannot read image {corrupt}: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("expected a PNG/JPEG/BMP/TIFF/WebP file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_FolderWithoutImages_SaysSo()
    {
        File.WriteAllText(Path.Combine(folder.Path, "labels.csv"), "image,labels\n");
        using var source = FrameSources.Create($"images:{folder.Path}");

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Contains($"image folder {folder.Path} has no images", error.Message, StringComparison.Ordinal);
        Assert.Contains(".png", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingFolder_NamesIt()
    {
        var missing = Path.Combine(folder.Path, "nothing-here");
        using var source = FrameSources.Create($"images:{missing}");

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Contains($"image folder not found: {missing}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_FpsOption_BecomesPacingFpsAndDefaultsToNone()
    {
        using var paced = FrameSources.Create($"images:{folder.Path}?fps=12.5");
        using var unpaced = FrameSources.Create($"images:{folder.Path}");

        Assert.Equal(12.5, paced.PacingFps);
        Assert.Null(unpaced.PacingFps);
    }
}
