using Edge.Runtime.Bundles;
using Edge.Runtime.Inference.TensorRt;
using Edge.Runtime.Options;

namespace Edge.Runtime.Tests.TensorRt;

/// <summary>Optimization profiles of dynamic-batch bundles, and engine cache keys that tell profiles and shapes apart.</summary>
public sealed class TensorRtOptimizationProfileTests
{
    private const string Cache = "/var/cache/edge/trt/0123456789abcdef-fedcba9876543210";

    private static readonly GpuStack Stack = new("1.23.2", "10.3.0", "12.6", "R36.4.3", "NVIDIA Jetson Orin Nano Developer Kit");

    private static ModelBundle Dynamic(int max = 8, int size = 32) =>
        TestBundle.InMemory(m =>
        {
            m["batch"] = TestBundle.Batch(dynamic: true, max);
            m["input"]!["width"] = size;
            m["input"]!["height"] = size;
        });

    [Fact]
    public void ToDictionary_DynamicBundle_HasMinOptMaxShapesOfItsInput()
    {
        var settings = new TensorRtSettings();
        var profile = OptimizationProfile.For(ModelIdentity.For(Dynamic(), maxBatch: 8), settings);

        var options = TensorRtProviderOptions.ToDictionary(settings, Cache, int8: false, profile);

        Assert.Equal("image:1x3x32x32", options["trt_profile_min_shapes"]);
        Assert.Equal("image:8x3x32x32", options["trt_profile_opt_shapes"]);
        Assert.Equal("image:8x3x32x32", options["trt_profile_max_shapes"]);
    }

    [Fact]
    public void ToDictionary_SessionSmallerThanBundleMax_ProfileMaxIsTheSessionsBatch()
    {
        var profile = OptimizationProfile.For(ModelIdentity.For(Dynamic(max: 16), maxBatch: 4), new TensorRtSettings());

        var options = TensorRtProviderOptions.ToDictionary(new TensorRtSettings(), Cache, int8: false, profile);

        Assert.Equal("image:4x3x32x32", options["trt_profile_max_shapes"]);
        Assert.Equal("image:4x3x32x32", options["trt_profile_opt_shapes"]);
    }

    [Fact]
    public void ToDictionary_NhwcBundle_ShapeInItsLayout()
    {
        var bundle = TestBundle.InMemory(m =>
        {
            m["batch"] = TestBundle.Batch(dynamic: true, 2);
            m["input"]!["layout"] = "nhwc";
            m["input"]!["width"] = 64;
        });

        var profile = OptimizationProfile.For(ModelIdentity.For(bundle, maxBatch: 2), new TensorRtSettings())!;

        Assert.Equal("image:2x32x64x3", profile.Shape(2));
    }

    [Fact]
    public void ProfileOptBatch_WithinMax_IsTheOptShape()
    {
        var settings = new TensorRtSettings { ProfileOptBatch = 3 };
        var profile = OptimizationProfile.For(ModelIdentity.For(Dynamic(), maxBatch: 8), settings);

        var options = TensorRtProviderOptions.ToDictionary(settings, Cache, int8: false, profile);

        Assert.Equal("image:3x3x32x32", options["trt_profile_opt_shapes"]);
        Assert.Equal("image:1x3x32x32", options["trt_profile_min_shapes"]);
        Assert.Equal("image:8x3x32x32", options["trt_profile_max_shapes"]);
    }

    [Fact]
    public void ProfileOptBatch_AboveTheSessionsMax_ThrowsNamingTheSetting()
    {
        var settings = new TensorRtSettings { ProfileOptBatch = 9 };

        var error = Assert.Throws<SettingException>(() => OptimizationProfile.For(ModelIdentity.For(Dynamic(), maxBatch: 8), settings));

        Assert.Equal("tensorrt.profile_opt_batch", error.Key);
        Assert.StartsWith("setting 'tensorrt.profile_opt_batch' is 9: expected 1 to 8", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void Validate_ProfileOptBatchBelowOne_ThrowsNamingTheSetting(int value)
    {
        var error = Assert.Throws<SettingException>(() => new TensorRtSettings { ProfileOptBatch = value }.Validate(8L << 30));

        Assert.Equal("tensorrt.profile_opt_batch", error.Key);
        Assert.Contains($"is {value}: expected 1 or more", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void For_FixedBundle_NoProfileAndNoProfileOptions()
    {
        var fixedBundle = TestBundle.InMemory();

        var profile = OptimizationProfile.For(ModelIdentity.For(fixedBundle, maxBatch: 1), new TensorRtSettings { ProfileOptBatch = 1 });
        var options = TensorRtProviderOptions.ToDictionary(new TensorRtSettings(), Cache, int8: false, profile);

        Assert.Null(profile);
        Assert.DoesNotContain(options.Keys, key => key.StartsWith("trt_profile_", StringComparison.Ordinal));
    }

    [Fact]
    public void For_IdentityOfTheFileOnly_NoProfile()
    {
        var identity = new ModelIdentity(new string('a', 64), "fp32") { DynamicBatch = true, MaxBatch = 4 };

        Assert.Null(OptimizationProfile.For(identity, new TensorRtSettings()));
        Assert.Contains(new KeyValuePair<string, string>("input_shape", EngineCacheKey.Unknown), EngineCacheKey.For(Stack, identity, null, int8: false, fp16: true).Components);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void ModelIdentityFor_BatchOutsideTheBundlesRange_Throws(int maxBatch)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelIdentity.For(Dynamic(max: 8), maxBatch));
    }

    [Fact]
    public void ModelIdentityFor_FixedBundleAboveOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelIdentity.For(TestBundle.InMemory(), maxBatch: 2));
    }

    [Fact]
    public void CacheKey_SameBundleAndBatch_SameKey()
    {
        Assert.Equal(Key(Dynamic(), 8).DirectoryName, Key(Dynamic(), 8).DirectoryName);
        Assert.Equal(Key(TestBundle.InMemory(), 1).DirectoryName, Key(TestBundle.InMemory(), 1).DirectoryName);
    }

    [Fact]
    public void CacheKey_DifferentMaxBatch_DifferentKey()
    {
        Assert.NotEqual(Key(Dynamic(), 8).DirectoryName, Key(Dynamic(), 4).DirectoryName);
    }

    [Fact]
    public void CacheKey_DifferentOptBatch_DifferentKey()
    {
        Assert.NotEqual(Key(Dynamic(), 8).DirectoryName, Key(Dynamic(), 8, new TensorRtSettings { ProfileOptBatch = 2 }).DirectoryName);
    }

    [Fact]
    public void CacheKey_SameModelHashDifferentInputShape_DifferentKey()
    {
        // The same ONNX file (same hash) run at another input size: the engine ONNX Runtime would find by graph name
        // was built for the other shape (onnxruntime#32254), so it must live in another folder.
        var small = Key(TestBundle.InMemory(), 1);
        var large = Key(TestBundle.InMemory(m => m["input"]!["width"] = 64), 1);

        Assert.NotEqual(small.DirectoryName, large.DirectoryName);
        Assert.Contains(new KeyValuePair<string, string>("input_shape", "image:1x3x32x32"), small.Components);
        Assert.Contains(new KeyValuePair<string, string>("input_shape", "image:1x3x32x64"), large.Components);
    }

    [Fact]
    public void CacheKey_FixedAndDynamicBatchOne_DifferentKey()
    {
        var fixedKey = Key(TestBundle.InMemory(), 1);
        var dynamicKey = Key(Dynamic(), 1);

        Assert.NotEqual(fixedKey.DirectoryName, dynamicKey.DirectoryName);
        Assert.Contains(new KeyValuePair<string, string>("profile", EngineCacheKey.NoProfile), fixedKey.Components);
        Assert.Equal("image:1x3x32x32/image:1x3x32x32/image:1x3x32x32", dynamicKey.Components.Single(c => c.Key == "profile").Value);
    }

    private static EngineCacheKey Key(ModelBundle bundle, int maxBatch, TensorRtSettings? settings = null)
    {
        var identity = ModelIdentity.For(bundle, maxBatch);
        return EngineCacheKey.For(Stack, identity, OptimizationProfile.For(identity, settings ?? new TensorRtSettings()), int8: false, fp16: true);
    }
}
