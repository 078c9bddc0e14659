using System.Buffers.Binary;
using System.IO.Compression;

namespace Edge.Camera.Synthetic;

/// <summary>Fashion-MNIST images (28x28 grey) and class ids, read from the gzipped IDX files Zalando publishes.</summary>
public sealed class FashionMnist
{
    public const int Side = 28;

    /// <summary>Class names in class-id order, spelled so they are safe as MQTT topic levels and file names.</summary>
    public static readonly IReadOnlyList<string> LabelNames =
        ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"];

    private readonly byte[] pixels;
    private readonly byte[] classes;

    private FashionMnist(byte[] pixels, byte[] classes)
    {
        this.pixels = pixels;
        this.classes = classes;
    }

    public int Count => classes.Length;

    public ReadOnlySpan<byte> Image(int index) => pixels.AsSpan(index * Side * Side, Side * Side);

    public int ClassOf(int index) => classes[index];

    /// <summary>Loads one split ("train" or "t10k") from a folder holding the four Fashion-MNIST .gz files.</summary>
    public static FashionMnist Load(string directory, string prefix)
    {
        var imagesPath = Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz");
        var labelsPath = Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz");
        var images = ReadIdx(imagesPath, expectedMagic: 0x00000803, out var imageCount);
        var labels = ReadIdx(labelsPath, expectedMagic: 0x00000801, out var labelCount);
        if (imageCount != labelCount || images.Length != imageCount * Side * Side)
        {
            throw new InvalidDataException(
                $"Fashion-MNIST files in {directory} disagree: {imageCount} images of {Side}x{Side} expected to match {labelCount} labels.");
        }

        foreach (var label in labels)
        {
            if (label >= LabelNames.Count)
            {
                throw new InvalidDataException($"{labelsPath}: class id {label} is out of range 0..{LabelNames.Count - 1}.");
            }
        }

        return new FashionMnist(images, labels);
    }

    private static byte[] ReadIdx(string path, int expectedMagic, out int count)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Fashion-MNIST file not found: {path}", path);
        }

        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        Span<byte> header = stackalloc byte[4];
        gzip.ReadExactly(header);
        var magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expectedMagic)
        {
            throw new InvalidDataException($"{path}: IDX magic 0x{magic:X8}, expected 0x{expectedMagic:X8}.");
        }

        var dimensions = magic & 0xFF;
        var sizes = new int[dimensions];
        long total = 1;
        for (var i = 0; i < dimensions; i++)
        {
            gzip.ReadExactly(header);
            sizes[i] = BinaryPrimitives.ReadInt32BigEndian(header);
            total *= sizes[i];
        }

        count = sizes[0];
        var data = new byte[total];
        gzip.ReadExactly(data);
        return data;
    }
}
