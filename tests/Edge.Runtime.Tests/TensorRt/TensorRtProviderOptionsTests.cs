using Edge.Runtime.Inference.TensorRt;
using Edge.Runtime.Options;

namespace Edge.Runtime.Tests.TensorRt;

public sealed class TensorRtProviderOptionsTests
{
    private const string Cache = "/var/cache/edge/trt/0123456789abcdef-fedcba9876543210";

    [Fact]
    public void ToDictionary_Defaults_ExactOptions()
    {
        var settings = new TensorRtSettings();

        var options = TensorRtProviderOptions.ToDictionary(settings, Cache, settings.Int8For("int8"));

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["device_id"] = "0",
                ["trt_int8_enable"] = "1",
                ["trt_fp16_enable"] = "1",
                ["trt_engine_cache_enable"] = "1",
                ["trt_engine_cache_path"] = Cache,
                ["trt_timing_cache_enable"] = "1",
                ["trt_timing_cache_path"] = Cache,
                ["trt_max_workspace_size"] = "1073741824",
                ["trt_builder_optimization_level"] = "3",
                ["trt_dump_ep_context_model"] = "0",
            },
            options);
    }

    [Fact]
    public void ToDictionary_FullSettings_ExactOptions()
    {
        var settings = new TensorRtSettings
        {
            Int8 = false,
            Fp16 = false,
            EngineCacheDirectory = "/data/trt",
            TimingCacheDirectory = "/data/timing",
            WorkspaceMb = 256,
            BuilderOptimizationLevel = 5,
            DumpEpContext = true,
            EpContextPath = "/data/model_ctx.onnx",
            RequireFullGpuPlacement = true,
            DeviceId = 1,
        };

        var options = TensorRtProviderOptions.ToDictionary(settings, Cache, settings.Int8For("int8"));

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["device_id"] = "1",
                ["trt_int8_enable"] = "0",
                ["trt_fp16_enable"] = "0",
                ["trt_engine_cache_enable"] = "1",
                ["trt_engine_cache_path"] = Cache,
                ["trt_timing_cache_enable"] = "1",
                ["trt_timing_cache_path"] = "/data/timing",
                ["trt_max_workspace_size"] = "268435456",
                ["trt_builder_optimization_level"] = "5",
                ["trt_dump_ep_context_model"] = "1",
                ["trt_ep_context_file_path"] = "/data/model_ctx.onnx",
            },
            options);
        Assert.Equal(new Dictionary<string, string> { ["session.disable_cpu_ep_fallback"] = "1" }, TensorRtProviderOptions.SessionConfigEntries(settings));
    }

    [Fact]
    public void ToDictionary_DumpWithoutPath_WritesContextModelIntoCacheFolder()
    {
        var options = TensorRtProviderOptions.ToDictionary(new TensorRtSettings { DumpEpContext = true }, Cache, int8: false);

        Assert.Equal(Cache + "/model_ctx.onnx", options["trt_ep_context_file_path"]);
        Assert.Equal("0", options["trt_int8_enable"]);
    }

    [Fact]
    public void ToDictionary_LargeWorkspace_IsBytesWithoutOverflow()
    {
        var options = TensorRtProviderOptions.ToDictionary(new TensorRtSettings { WorkspaceMb = 65536 }, Cache, int8: true);

        Assert.Equal("68719476736", options["trt_max_workspace_size"]);
    }

    [Fact]
    public void SessionConfigEntries_FallbackAllowed_IsEmpty()
    {
        Assert.Empty(TensorRtProviderOptions.SessionConfigEntries(new TensorRtSettings()));
    }

    [Fact]
    public void AppendTo_CpuOnlyBuild_FailsNamingTheMissingProvider()
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions();
        var model = new ModelIdentity(new string('a', 64), "int8");

        var error = Assert.Throws<InvalidOperationException>(() => TensorRtProviderOptions.AppendTo(options, new TensorRtSettings(), model));

        Assert.StartsWith("this ONNX Runtime build has no TensorrtExecutionProvider (available: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AppendTo_InvalidSettings_FailsOnTheSettingFirst()
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions();
        var model = new ModelIdentity(new string('a', 64), "int8");

        var error = Assert.Throws<SettingException>(() => TensorRtProviderOptions.AppendTo(options, new TensorRtSettings { BuilderOptimizationLevel = 9 }, model));

        Assert.Equal("tensorrt.builder_optimization_level", error.Key);
    }
}
