using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using OpenCvSharp;

namespace Edge.Testing;

/// <summary>
/// Real image files whose headers state a size other than their pixels: a PNG whose IHDR (with a valid CRC) says
/// 20000x20000 over a few bytes of data, and JPEG/BMP/WebP/TIFF files encoded by OpenCV with the size fields patched.
/// A decoder that trusts the header allocates the stated size; a reader of the header sees it without decoding.
/// </summary>
internal static class CraftedImages
{
    public static readonly IReadOnlyList<string> Formats = ["png", "jpeg", "bmp", "webp", "tiff"];

    /// <summary>Writes a file of <paramref name="format"/> whose header states <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static string Write(string folder, string format, int width, int height)
    {
        var path = Path.Combine(folder, $"crafted-{width}x{height}.{format}");
        File.WriteAllBytes(path, format switch
        {
            "png" => Png(width, height),
            "jpeg" => Jpeg(width, height),
            "bmp" => Bmp(width, height),
            "webp" => WebP(width, height),
            "tiff" => Tiff(width, height),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown format"),
        });
        return path;
    }

    /// <summary>A PNG with a valid signature, IHDR (8-bit grey) and CRCs, whose IDAT holds only the first rows.</summary>
    public static byte[] Png(int width, int height)
    {
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; colour type 0 (grey), compression, filter and interlace 0
        Chunk(file, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                zlib.Write(new byte[(width + 1) * 4]);
            }

            Chunk(file, "IDAT", compressed.ToArray());
        }

        Chunk(file, "IEND", []);
        return file.ToArray();
    }

    private static void Chunk(Stream file, string type, byte[] data)
    {
        var typeBytes = Encoding.ASCII.GetBytes(type);
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        file.Write(number);
        file.Write(typeBytes);
        file.Write(data);
        var crc = new Crc32();
        crc.Append(typeBytes);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(number, crc.GetCurrentHashAsUInt32());
        file.Write(number);
    }

    private static byte[] Encoded(string extension)
    {
        using var image = new Mat(6, 8, MatType.CV_8UC3, new Scalar(40, 80, 120));
        Cv2.ImEncode(extension, image, out var bytes);
        return bytes;
    }

    /// <summary>An 8x6 baseline JPEG whose SOF0 segment is patched.</summary>
    private static byte[] Jpeg(int width, int height)
    {
        var bytes = Encoded(".jpg");
        for (var i = 2; i + 9 < bytes.Length; i++)
        {
            if (bytes[i] == 0xFF && bytes[i + 1] == 0xC0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 5), checked((ushort)height));
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 7), checked((ushort)width));
                return bytes;
            }
        }

        throw new InvalidOperationException("OpenCV's JPEG has no SOF0 segment");
    }

    /// <summary>An 8x6 BMP whose BITMAPINFOHEADER width and height are patched.</summary>
    private static byte[] Bmp(int width, int height)
    {
        var bytes = Encoded(".bmp");
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        return bytes;
    }

    /// <summary>An 8x6 lossless WebP whose VP8L header is patched (14-bit sizes: at most 16384).</summary>
    private static byte[] WebP(int width, int height)
    {
        var bytes = Encoded(".webp");
        if (Encoding.ASCII.GetString(bytes, 12, 4) != "VP8L")
        {
            throw new InvalidOperationException($"OpenCV's WebP is not lossless VP8L but '{Encoding.ASCII.GetString(bytes, 12, 4)}'");
        }

        // Chunk data starts at 20 with the signature 0x2f, then 14 bits width - 1, 14 bits height - 1, alpha and version.
        var bits = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(21));
        bits = (bits & 0xF0000000u) | (uint)(width - 1) | ((uint)(height - 1) << 14);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(21), bits);
        return bytes;
    }

    /// <summary>An 8x6 TIFF whose first IFD's ImageWidth (256) and ImageLength (257) are patched.</summary>
    private static byte[] Tiff(int width, int height)
    {
        var bytes = Encoded(".tiff");
        var little = bytes[0] == (byte)'I';
        int U16(int at) => little ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at));
        int U32(int at) => (int)(little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at)));
        var ifd = U32(4);
        var patched = 0;
        for (var entry = 0; entry < U16(ifd); entry++)
        {
            var at = ifd + 2 + (entry * 12);
            var tag = U16(at);
            if (tag is not (256 or 257))
            {
                continue;
            }

            var value = tag == 256 ? width : height;
            if (U16(at + 2) == 3)
            {
                var span = bytes.AsSpan(at + 8, 2);
                if (little)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(span, checked((ushort)value));
                }
                else
                {
                    BinaryPrimitives.WriteUInt16BigEndian(span, checked((ushort)value));
                }
            }
            else
            {
                var span = bytes.AsSpan(at + 8, 4);
                if (little)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)value);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32BigEndian(span, (uint)value);
                }
            }

            patched++;
        }

        return patched == 2 ? bytes : throw new InvalidOperationException("OpenCV's TIFF has no ImageWidth/ImageLength tags");
    }
}
