using OpenCvSharp;

namespace Edge.Server.LiveView;

/// <summary>Encodes tapped BGR frames as JPEG with OpenCV, scaled down (aspect kept) to fit the configured size.</summary>
internal sealed class JpegEncoder : IDisposable
{
    private readonly int[] parameters;
    private readonly int maxWidth;
    private readonly int maxHeight;
    private readonly Mat resized = new();

    public JpegEncoder(int quality, int maxWidth, int maxHeight)
    {
        parameters = [(int)ImwriteFlags.JpegQuality, quality];
        this.maxWidth = maxWidth;
        this.maxHeight = maxHeight;
    }

    /// <summary>The size a <paramref name="width"/> by <paramref name="height"/> frame is encoded at.</summary>
    public (int Width, int Height) Fit(int width, int height)
    {
        var scale = Math.Min(1.0, Math.Min((double)maxWidth / width, (double)maxHeight / height));
        return scale >= 1 ? (width, height) : (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    public (byte[] Jpeg, int Width, int Height) Encode(TappedFrame frame)
    {
        using var source = Mat.FromPixelData(frame.Height, frame.Width, MatType.CV_8UC3, frame.PixelBuffer);
        var (width, height) = Fit(frame.Width, frame.Height);
        var image = source;
        if (width != frame.Width || height != frame.Height)
        {
            Cv2.Resize(source, resized, new Size(width, height), interpolation: InterpolationFlags.Area);
            image = resized;
        }

        if (!Cv2.ImEncode(".jpg", image, out var jpeg, parameters))
        {
            throw new InvalidOperationException($"OpenCV could not encode a {width}x{height} frame as JPEG");
        }

        return (jpeg, width, height);
    }

    public void Dispose() => resized.Dispose();
}
