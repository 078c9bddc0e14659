using System.Security.Cryptography;
using Edge.Camera.Frames;
using Edge.Camera.Sources.OpenCv;
using Edge.Quantize;
using Edge.Runtime.Bundles;
using Edge.Runtime.Preprocessing;
using Edge.Tools.Evaluation.Datasets;

namespace Edge.Tools.Quantization;

/// <summary>
/// The images a model is calibrated on: any dataset <c>edge eval</c> reads (csv, coco, voc) or <c>images:DIR</c>,
/// at most <c>count</c> of them spread evenly over the set, turned into input tensors by the bundle's own
/// preprocessing one at a time (nothing is held in memory).
/// </summary>
public sealed class CalibrationImages
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"];

    private CalibrationImages(string source, IReadOnlyList<string> paths)
    {
        Source = source;
        Paths = paths;
    }

    public string Source { get; }

    public IReadOnlyList<string> Paths { get; }

    public static CalibrationImages Select(string source, string? format, int count)
    {
        IReadOnlyList<string> all;
        if (source.StartsWith("images:", StringComparison.Ordinal))
        {
            var folder = source["images:".Length..];
            if (!Directory.Exists(folder))
            {
                throw new QuantizeException($"calibration folder '{folder}' does not exist: expected images:DIR with image files, or a csv/coco/voc dataset");
            }

            all = [.. Directory.EnumerateFiles(folder).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal)];
        }
        else
        {
            all = [.. DatasetReader.Read(source, format).Images.Select(i => i.ImagePath)];
        }

        if (all.Count == 0)
        {
            throw new QuantizeException($"calibration set '{source}' has no images: expected at least one");
        }

        // Evenly spaced, so a dataset sorted by class or scene still calibrates on all of it.
        var take = Math.Min(count, all.Count);
        var chosen = Enumerable.Range(0, take).Select(i => all[(int)((long)i * all.Count / take)]).ToList();
        return new CalibrationImages(source, chosen);
    }

    /// <summary>SHA-256 over the chosen images' contents, in order: identifies the calibration set in the manifest.</summary>
    public string Sha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in Paths)
        {
            hash.AppendData(SHA256.HashData(File.ReadAllBytes(path)));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The input tensors, in order; the same array is refilled for each image (consume before moving on).</summary>
    public IEnumerable<float[]> Tensors(ModelBundle bundle, int? limit = null, int maxMegapixels = ImageFile.DefaultMaxMegapixels)
    {
        var preprocessor = new ImagePreprocessor(bundle.Input);
        var frame = new Frame(bundle.Input.Width, bundle.Input.Height);
        var tensor = new float[3L * bundle.Input.Width * bundle.Input.Height];
        foreach (var path in Paths.Take(limit ?? Paths.Count))
        {
            // An unreadable image fails here as it does everywhere images are read (FrameSourceException, exit 4).
            ImageFile.Read(path, frame, maxMegapixels);
            preprocessor.Process(frame.PixelSpan, frame.Width, frame.Height, tensor);
            yield return tensor;
        }
    }
}
