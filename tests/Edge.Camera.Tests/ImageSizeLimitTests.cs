using Edge.Camera.Capture;
using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Camera.Sources.Headers;
using Edge.Camera.Sources.OpenCv;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace Edge.Camera.Tests;

/// <summary>Decompression bombs: an image's size is read from its header and refused before anything is decoded.</summary>
public sealed class ImageSizeLimitTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    public static TheoryData<string> Formats() => [.. CraftedImages.Formats];

    [Theory]
    [MemberData(nameof(Formats))]
    public void ReadHeader_CraftedFile_GivesTheStatedSizeWithoutDecoding(string format)
    {
        var path = CraftedImages.Write(folder.Path, format, 12000, 9000);
        using var stream = File.OpenRead(path);

        var header = ImageHeader.Read(stream);

        Assert.NotNull(header);
        Assert.Equal((12000L, 9000L), (header.Width, header.Height));
    }

    [Theory]
    [InlineData("png", "PNG")]
    [InlineData("jpeg", "JPEG")]
    [InlineData("bmp", "BMP")]
    [InlineData("webp", "WebP")]
    [InlineData("tiff", "TIFF")]
    public void Read_HeaderStatingMoreThanTheLimit_IsRefusedNamingSizeAndLimit(string format, string formatName)
    {
        var path = CraftedImages.Write(folder.Path, format, 16000, 16000);

        var error = Assert.Throws<FrameSourceException>(() => ImageFile.Read(path, new Frame(1, 1)));

        Assert.Equal(
            $"image {path} is 16000x16000 (256 megapixels, {formatName}), over the limit of 50 megapixels: refused before decoding (a decompression bomb or a mis-exported image); raise the limit (max_megapixels / --max-megapixels) if the image is genuine",
            error.Message);
    }

    [Fact]
    public void Read_Png20000x20000_IsRefusedFromTheHeader()
    {
        var path = Path.Combine(folder.Path, "bomb.png");
        File.WriteAllBytes(path, CraftedImages.Png(20000, 20000));

        var error = Assert.Throws<FrameSourceException>(() => ImageFile.Read(path, new Frame(1, 1)));

        Assert.Contains("is 20000x20000 (400 megapixels, PNG), over the limit of 50 megapixels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PngOverOpenCvsGigapixelCap_FailsLikeAnyUnreadableImage()
    {
        var path = Path.Combine(folder.Path, "giant.png");
        File.WriteAllBytes(path, CraftedImages.Png(40000, 40000));

        var error = Assert.Throws<FrameSourceException>(() => ImageFile.Read(path, new Frame(1, 1), ImageFile.MaxMegapixelsLimit));

        Assert.Contains("40000x40000 (1600 megapixels, PNG), over the limit of 1000 megapixels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedPngWithinTheLimit_ThrowsFrameSourceExceptionNamingTheFile()
    {
        var path = Path.Combine(folder.Path, "cut.png");
        File.WriteAllBytes(path, CraftedImages.Png(2000, 2000));

        var error = Assert.Throws<FrameSourceException>(() => ImageFile.Read(path, new Frame(1, 1)));

        Assert.StartsWith($"cannot read image {path}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImagesSource_MaxMegapixelsOption_RefusesAnImageJustOverItAndTheDefaultDecodesIt()
    {
        using (var image = new Mat(1000, 1200, MatType.CV_8UC3, new Scalar(5, 6, 7)))
        {
            Assert.True(Cv2.ImWrite(Path.Combine(folder.Path, "large.png"), image));
        }

        using var strict = FrameSources.Create($"images:{folder.Path}?max_megapixels=1");
        using var lenient = FrameSources.Create($"images:{folder.Path}");
        strict.Open();
        lenient.Open();
        var frame = new Frame(1, 1);

        var error = Assert.Throws<FrameSourceException>(() => strict.Read(frame));
        Assert.Contains("is 1200x1000 (1.2 megapixels, PNG), over the limit of 1 megapixels", error.Message, StringComparison.Ordinal);
        Assert.Equal(FrameReadResult.Frame, lenient.Read(frame));
        Assert.Equal((1200, 1000), (frame.Width, frame.Height));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("lots")]
    public void ImagesSource_MaxMegapixelsOutOfRange_IsRefused(string value)
    {
        var error = Assert.Throws<FrameSourceException>(() => FrameSources.Create($"images:{folder.Path}?max_megapixels={value}"));

        Assert.Contains($"'max_megapixels={value}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected an integer from 1 to 1000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CaptureLoop_FolderWithAGiantImage_EndsWithAFaultNamingIt()
    {
        // OpenCV's own gigapixel check throws from imread; it must stop the run like any unreadable image, not count as
        // a camera hiccup that reconnects past the image and ends cleanly.
        var giant = Path.Combine(folder.Path, "b-giant.png");
        File.WriteAllBytes(giant, CraftedImages.Png(40000, 40000));
        using (var image = new Mat(6, 8, MatType.CV_8UC3, new Scalar(1, 2, 3)))
        {
            Assert.True(Cv2.ImWrite(Path.Combine(folder.Path, "a-good.png"), image));
        }

        var slot = new FrameSlot(() => new Frame(1, 1), FrameHandoff.Lossless);
        using var loop = new CaptureLoop(FrameSources.Create($"images:{folder.Path}"), slot, TimeProvider.System, NullLogger.Instance);
        loop.Start();
        var taken = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (slot.Take(timeout.Token) is not null)
        {
            taken++;
        }

        Assert.Equal(1, taken);
        Assert.NotNull(loop.Fault);
        Assert.Contains(giant, loop.Fault.Message, StringComparison.Ordinal);
        Assert.Equal(0, loop.ReadFailures);
    }

    [Fact]
    public void Read_TextFileNamedPng_SaysItsHeaderStatesNoSize()
    {
        var path = Path.Combine(folder.Path, "notes.png");
        File.WriteAllText(path, "not an image\n");

        var error = Assert.Throws<FrameSourceException>(() => ImageFile.Read(path, new Frame(1, 1)));

        Assert.Equal($"cannot read image {path}: its header states no image size (not an image, or a damaged header): expected a PNG/JPEG/BMP/TIFF/WebP file", error.Message);
    }
}

public sealed class DamagedImageHeaderTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    public static TheoryData<string> Formats() => [.. CraftedImages.Formats];

    [Theory]
    [MemberData(nameof(Formats))]
    public void Read_HeaderCutAtAnyLength_ThrowsFrameSourceExceptionOnly(string format)
    {
        var whole = File.ReadAllBytes(CraftedImages.Write(folder.Path, format, 8, 6));
        var path = Path.Combine(folder.Path, "cut." + format);
        for (var length = 1; length < Math.Min(whole.Length, 160); length++)
        {
            File.WriteAllBytes(path, whole[..length]);

            var error = Record.Exception(() => ImageFile.Read(path, new Frame(1, 1)));

            Assert.True(error is FrameSourceException, $"{format} cut to {length} bytes: {error?.GetType().Name}: {error?.Message}");
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Read_AnyHeaderByteInverted_DecodesOrThrowsFrameSourceExceptionOnly(string format)
    {
        var whole = File.ReadAllBytes(CraftedImages.Write(folder.Path, format, 8, 6));
        var path = Path.Combine(folder.Path, "flipped." + format);
        for (var at = 0; at < Math.Min(whole.Length, 96); at++)
        {
            var damaged = (byte[])whole.Clone();
            damaged[at] ^= 0xFF;
            File.WriteAllBytes(path, damaged);

            var error = Record.Exception(() => ImageFile.Read(path, new Frame(1, 1)));

            Assert.True(error is null or FrameSourceException, $"{format} with byte {at} inverted: {error?.GetType().Name}: {error?.Message}");
        }
    }
}
