using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using MetadataExtractor.Formats.QuickTime;
using MetadataExtractor.Util;

namespace Edge.Camera.Sources.Headers;

/// <summary>
/// What a video file's own structure says about it, read without FFmpeg: which container it is, whether the
/// container states its frame count (MP4/MOV and AVI do; FFmpeg only estimates it for the others), and whether the
/// file is visibly cut short (an MP4/MOV without its 'moov' atom, an atom, RIFF or Matroska segment that runs past
/// the end of the file, an empty file). FFmpeg answers "cannot open" for all of these alike.
/// </summary>
public sealed record VideoContainer(string Name, bool IsVideoContainer, bool StatesFrameCount, string? Damage)
{
    /// <summary>A still image (PNG, JPEG, ...) rather than a video container.</summary>
    public bool IsImage { get; init; }

    private const uint EbmlMagic = 0x1A45DFA3;
    private const uint MatroskaSegment = 0x18538067;

    /// <summary>Reads the header of <paramref name="path"/>; never throws for a file that can be read.</summary>
    public static VideoContainer Inspect(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 4096);
        if (stream.Length == 0)
        {
            return new VideoContainer("an empty file", false, false, "it is empty (0 bytes): a recording that never wrote a frame, or a failed copy");
        }

        try
        {
            return Inspect(stream);
        }
        catch (Exception exception) when (exception is not (IOException or UnauthorizedAccessException or OutOfMemoryException))
        {
            // As for images (ImageHeader): MetadataExtractor throws several exception types for a malformed header.
            // Unreadable structure says nothing certain: FFmpeg decides, and is named if it cannot open the file either.
            return new VideoContainer($"a file whose structure cannot be read ({exception.Message})", true, false, null);
        }
    }

    private static VideoContainer Inspect(FileStream stream)
    {
        var type = FileTypeDetector.DetectFileType(stream);
        stream.Position = 0;
        return type switch
        {
            FileType.Mp4 or FileType.QuickTime => IsoMedia(stream),
            FileType.Avi => Riff(stream),
            FileType.Png or FileType.Jpeg or FileType.Bmp or FileType.Gif or FileType.Tiff or FileType.WebP or FileType.Netpbm
                => new VideoContainer($"a {type.ToString().ToUpperInvariant()} image", false, false, null) { IsImage = true },
            FileType.Unknown => Other(stream),
            _ => new VideoContainer($"a {type} file", false, false, null),
        };
    }

    /// <summary>MP4/MOV: the top-level atoms. 'moov' holds the index of every frame and is written when a recording
    /// finishes (at the end, unless moved to the front with faststart).</summary>
    private static VideoContainer IsoMedia(Stream stream)
    {
        var length = stream.Length;
        var seen = new List<string>();
        string? overrun = null;
        QuickTimeReader.ProcessAtoms(stream, atom =>
        {
            seen.Add(atom.TypeString);
            if (atom.StartPosition + atom.Size > length && overrun is null)
            {
                overrun = string.Create(CultureInfo.InvariantCulture,
                    $"its '{atom.TypeString}' atom declares {atom.Size:N0} bytes but the file ends {length - atom.StartPosition:N0} bytes into it");
            }
        });

        const string Name = "an MP4/MOV file";
        if (!seen.Contains("moov"))
        {
            return new VideoContainer(Name, true, true,
                "it has no 'moov' atom (the index an MP4/MOV recorder writes when it finishes): the file is truncated or the recording was never finished"
                + (overrun is null ? string.Empty : $"; {overrun}"));
        }

        return new VideoContainer(Name, true, true, overrun is null ? null : $"it is truncated: {overrun}");
    }

    /// <summary>AVI: the RIFF header states the size of everything after it.</summary>
    private static VideoContainer Riff(Stream stream)
    {
        Span<byte> header = stackalloc byte[8];
        stream.ReadExactly(header);
        var declared = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) + 8L;
        return new VideoContainer("an AVI file", true, true, declared > stream.Length
            ? string.Create(CultureInfo.InvariantCulture, $"it is truncated: its RIFF header declares {declared:N0} bytes but the file has {stream.Length:N0}")
            : null);
    }

    /// <summary>Containers MetadataExtractor does not detect: Matroska/WebM (whose segment states its size unless it was
    /// streamed), MPEG-TS, FLV, Ogg; anything else is not a video container this runtime recognises.</summary>
    private static VideoContainer Other(Stream stream)
    {
        var start = new byte[(int)Math.Min(stream.Length, 4096)];
        stream.ReadExactly(start);
        if (start.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(start) == EbmlMagic)
        {
            return new VideoContainer("a Matroska/WebM file", true, false, MatroskaDamage(start, stream.Length));
        }

        if (start.Length > 188 && start[0] == 0x47 && start[188] == 0x47)
        {
            return new VideoContainer("an MPEG-TS file", true, false, null);
        }

        var magic = Encoding.ASCII.GetString(start, 0, Math.Min(4, start.Length));
        if (magic.StartsWith("FLV", StringComparison.Ordinal) || magic == "OggS")
        {
            return new VideoContainer(magic == "OggS" ? "an Ogg file" : "an FLV file", true, false, null);
        }

        var bytes = Convert.ToHexString(start, 0, Math.Min(8, start.Length)).ToLowerInvariant();
        return new VideoContainer($"not a video container this runtime recognises (it starts with bytes {bytes})", false, false, null);
    }

    /// <summary>The EBML header, then the Segment element: its size runs past the end of a truncated file (a streamed
    /// recording writes "unknown size" instead, all ones, which says nothing).</summary>
    private static string? MatroskaDamage(byte[] start, long length)
    {
        var position = 4;
        if (!TryReadVint(start, ref position, out var headerSize, out _) || position + headerSize > start.Length)
        {
            return null;
        }

        position += (int)headerSize;
        if (position + 4 > start.Length || BinaryPrimitives.ReadUInt32BigEndian(start.AsSpan(position)) != MatroskaSegment)
        {
            return null;
        }

        position += 4;
        if (!TryReadVint(start, ref position, out var segmentSize, out var unknown) || unknown)
        {
            return null;
        }

        var declared = position + segmentSize;
        return declared > length
            ? string.Create(CultureInfo.InvariantCulture, $"it is truncated: its Matroska segment declares {declared:N0} bytes but the file has {length:N0}")
            : null;
    }

    /// <summary>An EBML variable-length size: the count of leading zero bits in the first byte gives its length.</summary>
    private static bool TryReadVint(byte[] data, ref int position, out long value, out bool unknown)
    {
        value = 0;
        unknown = false;
        if (position >= data.Length || data[position] == 0)
        {
            return false;
        }

        var width = BitOperations.LeadingZeroCount((uint)data[position]) - 23;
        if (position + width > data.Length)
        {
            return false;
        }

        value = data[position] & (0xFF >> width);
        var allOnes = value == (0xFF >> width);
        for (var i = 1; i < width; i++)
        {
            value = (value << 8) | data[position + i];
            allOnes &= data[position + i] == 0xFF;
        }

        position += width;
        unknown = allOnes;
        return true;
    }
}
