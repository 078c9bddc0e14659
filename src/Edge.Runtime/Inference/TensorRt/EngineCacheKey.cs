using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Edge.Runtime.Inference.TensorRt;

/// <summary>
/// Names the engine cache folder of one model on one software and hardware stack, so that any change to either
/// lands in a fresh folder: TensorRT then rebuilds the engine instead of loading one built for something else.
/// The input shape and the optimization profile are keyed too: ONNX Runtime names its engine files by graph, and
/// reuses an engine built for other shapes when the graph name matches (onnxruntime#32254).
/// </summary>
internal sealed class EngineCacheKey
{
    public const string SidecarFile = "cache-key.json";

    /// <summary>What an undetected component is keyed as: it still counts, so detecting it later changes the key.</summary>
    public const string Unknown = "unknown";

    /// <summary>The profile component of a model without an optimization profile (fixed batch axis).</summary>
    public const string NoProfile = "none";

    private const int ModelPrefixLength = 16;
    private const int DigestLength = 16;

    private EngineCacheKey(string modelSha256, IReadOnlyList<KeyValuePair<string, string>> components, string digest)
    {
        ModelSha256 = modelSha256;
        Components = components;
        Digest = digest;
    }

    public string ModelSha256 { get; }

    /// <summary>Every keyed component by its <c>cache-key.json</c> name, in a fixed order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Components { get; }

    /// <summary>16 lowercase hex characters of the SHA-256 of all components.</summary>
    public string Digest { get; }

    /// <summary><c>&lt;first 16 characters of the model hash&gt;-&lt;digest&gt;</c>: one model's folders sort together.</summary>
    public string DirectoryName => $"{ModelSha256[..ModelPrefixLength]}-{Digest}";

    /// <summary>The key of <paramref name="model"/>'s engines, with its input shape and <paramref name="profile"/> (null: none).</summary>
    public static EngineCacheKey For(GpuStack stack, ModelIdentity model, OptimizationProfile? profile, bool int8, bool fp16) =>
        For(model.Sha256, stack.OnnxRuntime, stack.TensorRt, stack.Cuda, stack.L4t, stack.Gpu, int8, fp16, InputShapeText(model), profile?.KeyText ?? NoProfile);

    /// <summary><c>input:1x3x224x224</c> (the shape for one image), or null when the model's input is not known.</summary>
    public static string? InputShapeText(ModelIdentity model) =>
        model is { InputName: { } name, InputShape: { } shape } ? $"{name}:{OptimizationProfile.Dimensions(shape, shape[0])}" : null;

    public static EngineCacheKey For(
        string modelSha256,
        string ortVersion,
        string? trtVersion,
        string? cudaVersion,
        string? l4tRelease,
        string? gpuName,
        bool int8,
        bool fp16,
        string? inputShape = null,
        string? profile = NoProfile)
    {
        if (modelSha256.Length != 64 || !modelSha256.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"model sha256 '{modelSha256}' is not 64 hex characters", nameof(modelSha256));
        }

        var sha = modelSha256.ToLowerInvariant();
        KeyValuePair<string, string>[] components =
        [
            new("model_sha256", sha),
            new("onnxruntime", OrUnknown(ortVersion)),
            new("tensorrt", OrUnknown(trtVersion)),
            new("cuda", OrUnknown(cudaVersion)),
            new("l4t", OrUnknown(l4tRelease)),
            new("gpu", OrUnknown(gpuName)),
            new("int8", int8 ? "true" : "false"),
            new("fp16", fp16 ? "true" : "false"),
            new("input_shape", OrUnknown(inputShape)),
            new("profile", OrUnknown(profile)),
        ];
        var canonical = string.Concat(components.Select(c => $"{c.Key}={c.Value}\n"));
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..DigestLength];
        return new EngineCacheKey(sha, components, digest);
    }

    /// <summary>The folder of this key under the configured engine cache root.</summary>
    public string DirectoryUnder(string engineCacheRoot) => Path.Join(engineCacheRoot, DirectoryName);

    /// <summary>Creates the folder and writes <c>cache-key.json</c>, so a person can tell which build a folder is for.</summary>
    public string CreateDirectory(string engineCacheRoot)
    {
        var directory = DirectoryUnder(engineCacheRoot);
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Join(directory, SidecarFile), SidecarJson());
        return directory;
    }

    public byte[] SidecarJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("key", Digest);
            foreach (var (name, value) in Components)
            {
                if (name is "int8" or "fp16")
                {
                    writer.WriteBoolean(name, value == "true");
                }
                else
                {
                    writer.WriteString(name, value);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string OrUnknown(string? value) => string.IsNullOrWhiteSpace(value) ? Unknown : value.Trim();
}
