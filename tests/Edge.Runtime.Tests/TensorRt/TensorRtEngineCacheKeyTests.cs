using System.Text.Json;
using Edge.Runtime.Inference.TensorRt;

namespace Edge.Runtime.Tests.TensorRt;

public sealed class TensorRtEngineCacheKeyTests
{
    private static readonly string ModelSha = "0123456789ABCDEF" + new string('e', 48);

    private static EngineCacheKey Baseline(
        string? model = null,
        string ort = "1.31.1",
        string? trt = "10.3.0",
        string? cuda = "12.6",
        string? l4t = "R36.4.3",
        string? gpu = "NVIDIA Jetson Orin Nano Developer Kit",
        bool int8 = true,
        bool fp16 = true,
        string? inputShape = "image:1x3x224x224",
        string? profile = "image:1x3x224x224/image:8x3x224x224/image:8x3x224x224") =>
        EngineCacheKey.For(model ?? ModelSha, ort, trt, cuda, l4t, gpu, int8, fp16, inputShape, profile);

    [Fact]
    public void For_SameComponents_SameShortHexDigest()
    {
        var first = Baseline();
        var second = Baseline();

        Assert.Equal(first.Digest, second.Digest);
        Assert.Matches("^[0-9a-f]{16}$", first.Digest);
    }

    public static TheoryData<string> Changes() => ["model", "ort", "trt", "cuda", "l4t", "gpu", "int8", "fp16", "input_shape", "profile", "no_profile"];

    [Theory]
    [MemberData(nameof(Changes))]
    public void For_AnyComponentChanged_NewDigestAndFolder(string component)
    {
        var changed = component switch
        {
            "model" => Baseline(model: new string('f', 64)),
            "ort" => Baseline(ort: "1.32.0"),
            "trt" => Baseline(trt: "10.7.0"),
            "cuda" => Baseline(cuda: "12.8"),
            "l4t" => Baseline(l4t: "R36.3.0"),
            "gpu" => Baseline(gpu: "NVIDIA Jetson AGX Orin Developer Kit"),
            "int8" => Baseline(int8: false),
            "fp16" => Baseline(fp16: false),
            "input_shape" => Baseline(inputShape: "image:1x3x320x320"),
            "profile" => Baseline(profile: "image:1x3x224x224/image:4x3x224x224/image:4x3x224x224"),
            _ => Baseline(profile: EngineCacheKey.NoProfile),
        };

        Assert.NotEqual(Baseline().Digest, changed.Digest);
        Assert.NotEqual(Baseline().DirectoryName, changed.DirectoryName);
    }

    [Fact]
    public void For_UndetectedComponent_KeyedAsUnknownAndDiffersFromDetected()
    {
        var unknown = Baseline(trt: null);

        Assert.Contains(new KeyValuePair<string, string>("tensorrt", "unknown"), unknown.Components);
        Assert.NotEqual(Baseline().Digest, unknown.Digest);
        Assert.Equal(Baseline(trt: "unknown").Digest, unknown.Digest);
    }

    [Fact]
    public void DirectoryName_IsModelHashPrefixAndDigest()
    {
        var key = Baseline();

        Assert.Equal("0123456789abcdef-" + key.Digest, key.DirectoryName);
        Assert.Equal(Path.Join("/var/cache/edge/trt", key.DirectoryName), key.DirectoryUnder("/var/cache/edge/trt"));
    }

    [Fact]
    public void For_NotASha256_Throws()
    {
        Assert.Throws<ArgumentException>(() => Baseline(model: "abc"));
    }

    [Fact]
    public void CreateDirectory_WritesCacheKeyJsonWithEveryComponent()
    {
        var root = Path.Combine(Path.GetTempPath(), "edge-trt-key-" + Guid.NewGuid().ToString("N"));
        try
        {
            var key = Baseline(cuda: null);

            var directory = key.CreateDirectory(root);

            Assert.Equal(key.DirectoryUnder(root), directory);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Join(directory, "cache-key.json")));
            var sidecar = json.RootElement;
            Assert.Equal(key.Digest, sidecar.GetProperty("key").GetString());
            Assert.Equal(ModelSha.ToLowerInvariant(), sidecar.GetProperty("model_sha256").GetString());
            Assert.Equal("1.31.1", sidecar.GetProperty("onnxruntime").GetString());
            Assert.Equal("10.3.0", sidecar.GetProperty("tensorrt").GetString());
            Assert.Equal("unknown", sidecar.GetProperty("cuda").GetString());
            Assert.Equal("R36.4.3", sidecar.GetProperty("l4t").GetString());
            Assert.Equal("NVIDIA Jetson Orin Nano Developer Kit", sidecar.GetProperty("gpu").GetString());
            Assert.True(sidecar.GetProperty("int8").GetBoolean());
            Assert.True(sidecar.GetProperty("fp16").GetBoolean());
            Assert.Equal("image:1x3x224x224", sidecar.GetProperty("input_shape").GetString());
            Assert.Equal("image:1x3x224x224/image:8x3x224x224/image:8x3x224x224", sidecar.GetProperty("profile").GetString());
            Assert.Equal(11, sidecar.EnumerateObject().Count());
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
