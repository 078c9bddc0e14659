using Edge.Runtime.Inference.TensorRt;
using Edge.Runtime.Options;

namespace Edge.Runtime.Tests.TensorRt;

public sealed class TensorRtCudaSettingsTests
{
    [Fact]
    public void ToDictionary_Defaults_AreOnnxRuntimeDefaults()
    {
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["device_id"] = "0",
                ["arena_extend_strategy"] = "kNextPowerOfTwo",
                ["cudnn_conv_algo_search"] = "EXHAUSTIVE",
            },
            CudaProviderOptions.ToDictionary(new CudaSettings()));
    }

    [Fact]
    public void ToDictionary_FullSettings_MapsEveryValue()
    {
        var settings = new CudaSettings { DeviceId = 1, ArenaExtendStrategy = "kSameAsRequested", CudnnConvAlgoSearch = "HEURISTIC" };
        settings.Validate();

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["device_id"] = "1",
                ["arena_extend_strategy"] = "kSameAsRequested",
                ["cudnn_conv_algo_search"] = "HEURISTIC",
            },
            CudaProviderOptions.ToDictionary(settings));
    }

    [Fact]
    public void Validate_UnknownArenaStrategy_NamesKeyAndChoices()
    {
        var error = Assert.Throws<SettingException>(() => new CudaSettings { ArenaExtendStrategy = "grow" }.Validate());

        Assert.Equal("setting 'cuda.arena_extend_strategy' is grow: expected kNextPowerOfTwo or kSameAsRequested", error.Message);
    }

    [Fact]
    public void Validate_UnknownConvSearch_NamesKeyAndChoices()
    {
        var error = Assert.Throws<SettingException>(() => new CudaSettings { CudnnConvAlgoSearch = "exhaustive" }.Validate());

        Assert.Equal("setting 'cuda.cudnn_conv_algo_search' is exhaustive: expected EXHAUSTIVE, HEURISTIC, DEFAULT", error.Message);
    }

    [Fact]
    public void Validate_NegativeDevice_NamesKey()
    {
        var error = Assert.Throws<SettingException>(() => new CudaSettings { DeviceId = -2 }.Validate());

        Assert.Equal("cuda.device_id", error.Key);
    }

    [Fact]
    public void AppendTo_CpuOnlyBuild_FailsNamingTheMissingProvider()
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions();

        var error = Assert.Throws<InvalidOperationException>(() => CudaProviderOptions.AppendTo(options, new CudaSettings()));

        Assert.StartsWith("this ONNX Runtime build has no CUDAExecutionProvider (available: ", error.Message, StringComparison.Ordinal);
    }
}
