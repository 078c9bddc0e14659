using Edge.Camera.Frames;
using OpenCvSharp;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>Decodes one image file (PNG, JPEG, BMP, TIFF, WebP) into a BGR24 frame.</summary>
public static class ImageFile
{
    /// <summary>Fills <paramref name="target"/> from <paramref name="path"/>; throws <see cref="FrameSourceException"/>
    /// naming the file when it cannot be decoded.</summary>
    public static void Read(string path, Frame target)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var image = Cv2.ImRead(path, ImreadModes.Color);
        if (image.Empty())
        {
            throw new FrameSourceException($"cannot read image {path}: expected a PNG/JPEG/BMP/TIFF/WebP file");
        }

        MatPixels.CopyToFrame(image, target, path);
        target.ClearTruth();
    }
}
