using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Camera.Sources.OpenCv;
using OpenCvSharp;

namespace Edge.Camera.Tests;

public sealed class MatPixelsTests
{
    [Fact]
    public void CopyToFrame_Grey_ReplicatesIntoAllThreeChannels()
    {
        using var grey = Mat.FromPixelData(2, 3, MatType.CV_8UC1, new byte[] { 1, 2, 3, 4, 5, 6 });
        var frame = new Frame(1, 1);

        MatPixels.CopyToFrame(grey, frame, "test");

        Assert.Equal((3, 2), (frame.Width, frame.Height));
        Assert.Equal(new byte[] { 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6 }, frame.PixelSpan.ToArray());
    }

    [Fact]
    public void CopyToFrame_Bgra_DropsAlpha()
    {
        using var bgra = Mat.FromPixelData(1, 2, MatType.CV_8UC4, new byte[] { 1, 2, 3, 200, 4, 5, 6, 201 });
        var frame = new Frame(1, 1);

        MatPixels.CopyToFrame(bgra, frame, "test");

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, frame.PixelSpan.ToArray());
    }

    [Fact]
    public void CopyToFrame_NonContinuousRegion_CopiesRowByRow()
    {
        using var whole = new Mat(4, 4, MatType.CV_8UC3, new Scalar(0, 0, 0));
        whole.Set(1, 1, new Vec3b(10, 20, 30));
        whole.Set(2, 2, new Vec3b(40, 50, 60));
        using var region = whole[new Rect(1, 1, 2, 2)];
        var frame = new Frame(1, 1);

        MatPixels.CopyToFrame(region, frame, "test");

        Assert.False(region.IsContinuous());
        Assert.Equal(new byte[] { 10, 20, 30, 0, 0, 0, 0, 0, 0, 40, 50, 60 }, frame.PixelSpan.ToArray());
    }

    [Fact]
    public void CopyToFrame_SixteenBitImage_IsRefused()
    {
        using var deep = new Mat(2, 2, MatType.CV_16UC3);

        var error = Assert.Throws<FrameSourceException>(() => MatPixels.CopyToFrame(deep, new Frame(1, 1), "v4l2:0"));

        Assert.Contains("source 'v4l2:0' delivers", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected 8-bit grey, BGR or BGRA", error.Message, StringComparison.Ordinal);
    }
}
