using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.Runtime.Bundles;

/// <summary>
/// The manifest of a model bundle (<c>manifest.json</c>): labels with thresholds, the exact input contract, what the
/// output means, the model's hash and how it was built. Documented in docs/model-bundle.md.
/// </summary>
public sealed class ModelManifest
{
    public const string CurrentFormat = "edge-model-bundle/1";

    public string? Format { get; set; }

    public string? Name { get; set; }

    public string? Version { get; set; }

    public string? Description { get; set; }

    public string? ModelFile { get; set; }

    public string? Sha256 { get; set; }

    public string? Precision { get; set; }

    public InputContract? Input { get; set; }

    public OutputContract? Output { get; set; }

    public List<LabelSpec>? Labels { get; set; }

    /// <summary>The batch axis; absent means fixed at the model's own batch of 1.</summary>
    public BatchContract? Batch { get; set; }

    /// <summary>How the model was built and measured; free-form, shown by <c>edge info</c>.</summary>
    public JsonElement? Provenance { get; set; }

    /// <summary>For INT8 models made by <c>edge quantize</c>: target, calibration and what stayed in float.</summary>
    public QuantizationInfo? Quantization { get; set; }

    /// <summary>Optional label-dependency re-scoring of the logits (docs/model-bundle.md), fitted by <c>edge eval --fit-rescoring</c>.</summary>
    public RescoringSpec? Rescoring { get; set; }
}

/// <summary>
/// The manifest's <c>rescoring</c> object: <c>{"kind": "linear-logits", "matrix": [[…]], "bias": […]}</c>, meaning
/// z' = z + matrix·z + bias on the logits z, before the sigmoid.
/// </summary>
public sealed class RescoringSpec
{
    /// <summary><c>linear-logits</c>, the only kind so far.</summary>
    public string? Kind { get; set; }

    /// <summary>labels × labels, row i holds the weights of every label's logit in label i's correction.</summary>
    public double[][]? Matrix { get; set; }

    /// <summary>One value per label; absent means zeros.</summary>
    public double[]? Bias { get; set; }

    /// <summary>How it was fitted (graph, its parameters, the data); free-form.</summary>
    public JsonElement? Provenance { get; set; }
}

/// <summary>How an INT8 bundle was quantized (docs/quantization.md).</summary>
public sealed class QuantizationInfo
{
    /// <summary><c>cpu</c> or <c>tensorrt</c>: which execution provider the Q/DQ layout is made for.</summary>
    public string? Target { get; set; }

    /// <summary><c>minmax</c>, <c>percentile</c> or <c>entropy</c>.</summary>
    public string? Method { get; set; }

    public double? Percentile { get; set; }

    public int CalibrationImages { get; set; }

    /// <summary>SHA-256 over the calibration images' contents, in order.</summary>
    public string? CalibrationSha256 { get; set; }

    public string? CalibrationSource { get; set; }

    /// <summary>SHA-256 of the FP32 model this was quantized from.</summary>
    public string? SourceSha256 { get; set; }

    public List<string>? FloatNodes { get; set; }
}

public sealed class InputContract
{
    public string? Name { get; set; }

    /// <summary><c>nchw</c> or <c>nhwc</c>.</summary>
    public string? Layout { get; set; }

    public int Width { get; set; }

    public int Height { get; set; }

    /// <summary><c>bgr</c> or <c>rgb</c>.</summary>
    public string? ColorOrder { get; set; }

    /// <summary>Pixel values (0-255) are multiplied by this before mean and std are applied.</summary>
    public float Scale { get; set; } = 1f;

    public float[]? Mean { get; set; }

    public float[]? Std { get; set; }

    /// <summary>Optional per-pixel mean: raw little-endian float32, planar in the model's channel order, subtracted
    /// after scaling instead of <see cref="Mean"/>.</summary>
    public string? MeanImage { get; set; }

    /// <summary><c>stretch</c>, <c>center_crop</c> or <c>letterbox</c>.</summary>
    public string? Resize { get; set; }

    /// <summary>Pixel value (0-255) of the letterbox bars.</summary>
    public int LetterboxFill { get; set; }
}

public sealed class OutputContract
{
    public string? Name { get; set; }

    /// <summary><c>logits</c> (the runtime applies a sigmoid) or <c>probabilities</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>Optional second output: per-label activation maps <c>[1, labels, h, w]</c>, used to locate active labels.</summary>
    public string? Maps { get; set; }
}

/// <summary>The manifest's <c>batch</c> object: <c>{"dynamic": true, "max": 8}</c> or <c>{"dynamic": false, "max": 1}</c>.</summary>
public sealed class BatchContract
{
    /// <summary>True when the model's first input and output dimension is symbolic (any batch size).</summary>
    public bool? Dynamic { get; set; }

    /// <summary>The largest batch the runtime may form (1 to 256); 1, or absent, when the axis is fixed.</summary>
    public int? Max { get; set; }
}

public sealed class LabelSpec
{
    public string? Name { get; set; }

    /// <summary>Score at or above which the label turns on.</summary>
    public float Threshold { get; set; } = 0.5f;

    /// <summary>Score below which an active label turns off (hysteresis); defaults to <see cref="Threshold"/>.</summary>
    public float? OffThreshold { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    AllowDuplicateProperties = false, // a key given twice is an operator error, not "the last one wins"
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    WriteIndented = true)]
[JsonSerializable(typeof(ModelManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext
{
    /// <summary>What the options above accept, for readers that look at the text before it is deserialized.</summary>
    public static JsonReaderOptions ReaderOptions => new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
}
