using System.Security.Cryptography;
using System.Text.Json;
using Edge.Camera.Sources;
using Edge.Runtime.Decoding;
using Edge.Runtime.Options;

namespace Edge.Runtime.Bundles;

/// <summary>
/// A loaded and validated model bundle: a folder with <c>manifest.json</c> and the ONNX file it names. Every field
/// is checked here; the ONNX signature is checked against it when the session is created.
/// </summary>
public sealed class ModelBundle
{
    public const string ManifestFile = "manifest.json";

    private ModelBundle(string directory, ModelManifest manifest, string modelPath, PreprocessContract input, IReadOnlyList<LabelThreshold> labels, BatchAxis batch, LogitRescoring? rescoring)
    {
        Rescoring = rescoring;
        Directory = directory;
        Manifest = manifest;
        Input = input;
        Labels = labels;
        Batch = batch;
        ModelPath = modelPath;
        OutputKind = Enum.Parse<OutputKind>(manifest.Output!.Kind!, ignoreCase: true);
    }

    public string Directory { get; }

    public string ModelPath { get; }

    public ModelManifest Manifest { get; }

    public string Name => Manifest.Name!;

    public string Sha256 => Manifest.Sha256!;

    public string Precision => Manifest.Precision!;

    public PreprocessContract Input { get; }

    public string InputName => Manifest.Input!.Name!;

    public string OutputName => Manifest.Output!.Name!;

    /// <summary>The activation-map output, or null when the model has none.</summary>
    public string? MapsName => Manifest.Output!.Maps;

    public OutputKind OutputKind { get; }

    public IReadOnlyList<LabelThreshold> Labels { get; }

    /// <summary>The batch axis from the manifest's <c>batch</c> object; fixed at 1 when it is absent.</summary>
    public BatchAxis Batch { get; }

    /// <summary>The label-dependency correction of the logits from the manifest's <c>rescoring</c> block, or null.</summary>
    public LogitRescoring? Rescoring { get; }

    public static ModelBundle Load(string directory, bool verifyHash = true)
    {
        if (UserPath.HasNul(directory))
        {
            throw new ModelBundleException($"model bundle folder '{UserPath.Printable(directory)}' holds a NUL byte: expected the path of a folder with {ManifestFile} and an ONNX file");
        }

        if (!System.IO.Directory.Exists(directory))
        {
            throw new ModelBundleException($"model bundle folder '{directory}' does not exist: expected a folder with {ManifestFile} and an ONNX file");
        }

        var manifestPath = Path.Combine(directory, ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new ModelBundleException($"model bundle '{directory}' has no {ManifestFile}: expected a manifest next to the ONNX file (see docs/model-bundle.md)");
        }

        var text = File.ReadAllText(manifestPath); // strips a byte-order mark
        var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
        if (JsonDefects.DuplicateKey(utf8, ManifestJsonContext.ReaderOptions) is { } duplicate)
        {
            throw new ModelBundleException($"{manifestPath}: {duplicate}: expected each key once per object (which value was meant?)");
        }

        if (JsonDefects.NulByte(utf8, ManifestJsonContext.ReaderOptions) is { } nul)
        {
            throw new ModelBundleException($"{manifestPath}: {nul}: expected text without NUL bytes (no file name can hold one)");
        }

        ModelManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(text, ManifestJsonContext.Default.ModelManifest)
                ?? throw new ModelBundleException($"{manifestPath} is empty: expected a JSON object");
        }
        catch (JsonException exception)
        {
            throw new ModelBundleException($"{manifestPath} is not a valid manifest: {exception.Message}", exception);
        }

        var bundle = FromManifest(directory, manifest);
        if (!File.Exists(bundle.ModelPath))
        {
            throw new ModelBundleException($"model file '{bundle.ModelPath}' named by manifest field 'model_file' does not exist");
        }

        BundlePath.CheckLinks(directory, manifest.ModelFile!, "model_file");

        if (verifyHash)
        {
            var actual = HashFile(bundle.ModelPath);
            if (!string.Equals(actual, bundle.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelBundleException(
                    $"manifest field 'sha256' is {bundle.Sha256} but {bundle.ModelPath} hashes to {actual}: the model file is corrupt or the manifest belongs to another model");
            }
        }

        return bundle;
    }

    /// <summary>Validates a manifest's fields (no file access except an optional mean image).</summary>
    public static ModelBundle FromManifest(string directory, ModelManifest manifest)
    {
        var check = new ManifestValidator(manifest);
        var input = check.Input(directory);
        var modelPath = check.ModelPath(directory);
        var labels = check.Labels();
        var batch = check.Batch();
        var rescoring = check.Rescoring(labels.Count);
        return new ModelBundle(directory, manifest, modelPath, input, labels, batch, rescoring);
    }

    public static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>A label and its on/off thresholds (off at most on: the gap is the hysteresis).</summary>
public sealed record LabelThreshold(string Name, float On, float Off);

/// <summary>The typed input contract the preprocessor implements.</summary>
public sealed record PreprocessContract(
    int Width,
    int Height,
    TensorLayout Layout,
    ColorOrder ColorOrder,
    ResizePolicy Resize,
    float Scale,
    float[] Mean,
    float[] Std,
    float[]? MeanImage,
    byte LetterboxFill);
