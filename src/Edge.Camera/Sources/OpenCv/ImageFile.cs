using System.Globalization;
using Edge.Camera.Frames;
using Edge.Camera.Sources.Headers;
using OpenCvSharp;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>
/// Decodes one image file (PNG, JPEG, BMP, TIFF, WebP, GIF, PNM) into a BGR24 frame. Every image the runtime reads
/// comes through here (the <c>images:</c> source, datasets, calibration sets), so every unreadable image fails alike:
/// a <see cref="FrameSourceException"/> naming the file.
/// </summary>
public static class ImageFile
{
    /// <summary>The default size limit: far above any camera frame, far below OpenCV's own 1 gigapixel cap, whose
    /// decoded BGR buffer (3 GB) would exhaust a Jetson's memory.</summary>
    public const int DefaultMaxMegapixels = 50;

    /// <summary>The largest limit that can be configured: OpenCV refuses images over 2^30 pixels anyway.</summary>
    public const int MaxMegapixelsLimit = 1000;

    private const string ExpectedImage = "expected a PNG/JPEG/BMP/TIFF/WebP file";

    /// <summary>
    /// Fills <paramref name="target"/> from <paramref name="path"/>. The size the header states is checked against
    /// <paramref name="maxMegapixels"/> before anything is decoded; throws <see cref="FrameSourceException"/> naming the
    /// file when it is too large, states no size, or cannot be opened or decoded.
    /// </summary>
    public static void Read(string path, Frame target, int maxMegapixels = DefaultMaxMegapixels)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(target);
        CheckHeader(path, maxMegapixels);
        Mat image;
        try
        {
            image = Cv2.ImRead(path, ImreadModes.Color);
        }
        catch (OpenCVException exception)
        {
            throw new FrameSourceException($"cannot read image {path}: OpenCV cannot decode it ({exception.Message})", exception);
        }

        using (image)
        {
            if (image.Empty())
            {
                throw new FrameSourceException($"cannot read image {path}: it does not decode (truncated or corrupt): {ExpectedImage}");
            }

            MatPixels.CopyToFrame(image, target, path);
        }

        target.ClearTruth();
    }

    private static void CheckHeader(string path, int maxMegapixels)
    {
        ImageHeader? header;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
            header = ImageHeader.Read(stream);
        }
        catch (InvalidDataException exception)
        {
            throw new FrameSourceException($"cannot read image {path}: {exception.Message}: {ExpectedImage}", exception);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new FrameSourceException($"cannot read image {path}: {exception.Message}", exception);
        }

        if (header is null)
        {
            throw new FrameSourceException($"cannot read image {path}: its header states no image size (not an image, or a damaged header): {ExpectedImage}");
        }

        if (header.Width == 0 || header.Height == 0)
        {
            throw new FrameSourceException($"cannot read image {path}: its {header.Format} header states a size of {header.Width}x{header.Height}: expected a non-empty image");
        }

        if (header.Pixels > (long)maxMegapixels * 1_000_000)
        {
            var megapixels = (header.Pixels / 1e6).ToString("0.#", CultureInfo.InvariantCulture);
            throw new FrameSourceException(
                $"image {path} is {header.Width}x{header.Height} ({megapixels} megapixels, {header.Format}), over the limit of {maxMegapixels} megapixels: "
                + "refused before decoding (a decompression bomb or a mis-exported image); raise the limit (max_megapixels / --max-megapixels) if the image is genuine");
        }
    }
}
