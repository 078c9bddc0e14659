using MetadataExtractor;
using MetadataExtractor.Formats.Bmp;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Gif;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Netpbm;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.WebP;
using MetadataExtractor.Util;

namespace Edge.Camera.Sources.Headers;

/// <summary>
/// The format and pixel size an image file states in its header (PNG IHDR, JPEG SOFn, BMP, WebP, TIFF IFD0, GIF,
/// PNM), read with MetadataExtractor without decoding a pixel, so that a decompression bomb is refused before a
/// decoder allocates its full size.
/// </summary>
public sealed record ImageHeader(string Format, long Width, long Height)
{
    public long Pixels => Width * Height;

    /// <summary>Reads the header of <paramref name="stream"/> (seekable, at its start); null when the format is not one
    /// of the above or its header states no size. Throws <see cref="InvalidDataException"/> when the header is damaged.</summary>
    public static ImageHeader? Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            return ReadHeader(stream);
        }
        catch (Exception exception) when (exception is not (IOException or UnauthorizedAccessException or OutOfMemoryException))
        {
            // MetadataExtractor reports a malformed header with ImageProcessingException, but also with ArgumentException
            // and others (a chunk type that is not letters, say): for a file from outside, every one means a damaged header.
            throw new InvalidDataException($"its header is damaged ({exception.Message})", exception);
        }
    }

    private static ImageHeader? ReadHeader(Stream stream)
    {
        var type = FileTypeDetector.DetectFileType(stream);
        stream.Position = 0;
        return type switch
        {
            FileType.Png => Find(PngMetadataReader.ReadMetadata(stream), "PNG", PngDirectory.TagImageWidth, PngDirectory.TagImageHeight),
            FileType.Jpeg => Find(JpegMetadataReader.ReadMetadata(stream, [new JpegReader()]), "JPEG", JpegDirectory.TagImageWidth, JpegDirectory.TagImageHeight),
            FileType.Bmp => Find(BmpMetadataReader.ReadMetadata(stream), "BMP", BmpHeaderDirectory.TagImageWidth, BmpHeaderDirectory.TagImageHeight),
            FileType.WebP => Find(WebPMetadataReader.ReadMetadata(stream), "WebP", WebPDirectory.TagImageWidth, WebPDirectory.TagImageHeight),
            FileType.Tiff => Find(TiffFirstImage(stream), "TIFF", ExifDirectoryBase.TagImageWidth, ExifDirectoryBase.TagImageHeight),
            FileType.Gif => Find(GifMetadataReader.ReadMetadata(stream), "GIF", GifHeaderDirectory.TagImageWidth, GifHeaderDirectory.TagImageHeight),
            FileType.Netpbm => Find([NetpbmMetadataReader.ReadMetadata(stream)], "PNM", NetpbmHeaderDirectory.TagWidth, NetpbmHeaderDirectory.TagHeight),
            _ => null,
        };
    }

    private static IEnumerable<MetadataExtractor.Directory> TiffFirstImage(Stream stream) =>
        MetadataExtractor.Formats.Tiff.TiffMetadataReader.ReadMetadata(stream).OfType<ExifIfd0Directory>().Take(1);

    private static ImageHeader? Find(IEnumerable<MetadataExtractor.Directory> directories, string format, int widthTag, int heightTag)
    {
        foreach (var directory in directories)
        {
            if (directory.TryGetInt64(widthTag, out var width) && directory.TryGetInt64(heightTag, out var height))
            {
                // BMP stores a bottom-up image as a negative height.
                return new ImageHeader(format, Math.Abs(width), Math.Abs(height));
            }
        }

        return null;
    }
}
