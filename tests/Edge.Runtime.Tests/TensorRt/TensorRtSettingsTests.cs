using Edge.Runtime.Inference.TensorRt;
using Edge.Runtime.Options;

namespace Edge.Runtime.Tests.TensorRt;

public sealed class TensorRtSettingsTests
{
    private const long EightGiB = 8L * 1024 * 1024 * 1024;

    [Theory]
    [InlineData("int8", true)]
    [InlineData("fp32", false)]
    [InlineData("fp16", false)]
    public void Int8For_Unset_FollowsBundlePrecision(string precision, bool expected)
    {
        Assert.Equal(expected, new TensorRtSettings().Int8For(precision));
    }

    [Fact]
    public void Int8For_Set_OverridesBundlePrecision()
    {
        Assert.False(new TensorRtSettings { Int8 = false }.Int8For("int8"));
        Assert.True(new TensorRtSettings { Int8 = true }.Int8For("fp32"));
    }

    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var settings = new TensorRtSettings();

        Assert.True(settings.Fp16);
        Assert.Equal(1024, settings.WorkspaceMb);
        Assert.Equal(3, settings.BuilderOptimizationLevel);
        Assert.False(settings.DumpEpContext);
        Assert.False(settings.RequireFullGpuPlacement);
        Assert.Equal(0, settings.DeviceId);
        settings.Validate(EightGiB);
    }

    [Fact]
    public void DefaultEngineCacheDirectory_UsesXdgCacheHomeWhenSet()
    {
        Assert.Equal("/home/edge/.cache/edge/trt", TensorRtSettings.DefaultEngineCacheDirectory(name => name == "XDG_CACHE_HOME" ? "/home/edge/.cache" : null));
        Assert.Equal("/var/cache/edge/trt", TensorRtSettings.DefaultEngineCacheDirectory(_ => null));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8193)]
    public void Validate_WorkspaceOutsideMemory_NamesKeyAndRange(int workspaceMb)
    {
        var error = Assert.Throws<SettingException>(() => new TensorRtSettings { WorkspaceMb = workspaceMb }.Validate(EightGiB));

        Assert.Equal("tensorrt.workspace_mb", error.Key);
        Assert.StartsWith($"setting 'tensorrt.workspace_mb' is {workspaceMb}: expected 1 to 8192 ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Validate_WorkspaceEqualToMemory_IsAccepted()
    {
        new TensorRtSettings { WorkspaceMb = 8192 }.Validate(EightGiB);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(6)]
    public void Validate_OptimizationLevelOutOfRange_NamesKeyAndRange(int level)
    {
        var error = Assert.Throws<SettingException>(() => new TensorRtSettings { BuilderOptimizationLevel = level }.Validate(EightGiB));

        Assert.Equal($"setting 'tensorrt.builder_optimization_level' is {level}: expected 0 to 5", error.Message);
    }

    [Fact]
    public void Validate_NegativeDevice_NamesKey()
    {
        var error = Assert.Throws<SettingException>(() => new TensorRtSettings { DeviceId = -1 }.Validate(EightGiB));

        Assert.Equal("setting 'tensorrt.device_id' is -1: expected 0 or more", error.Message);
    }

    [Fact]
    public void Validate_EpContextPathWithoutDump_NamesKey()
    {
        var error = Assert.Throws<SettingException>(() => new TensorRtSettings { EpContextPath = "/tmp/ctx.onnx" }.Validate(EightGiB));

        Assert.Equal("setting 'tensorrt.ep_context_path' is /tmp/ctx.onnx: expected no value unless tensorrt.dump_ep_context is true", error.Message);
    }

    [Fact]
    public void Validate_BlankCacheDirectory_NamesKey()
    {
        var error = Assert.Throws<SettingException>(() => new TensorRtSettings { EngineCacheDirectory = " " }.Validate(EightGiB));

        Assert.Equal("tensorrt.engine_cache_directory", error.Key);
    }

    [Fact]
    public void Validate_CarriesKeyValueAndExpected()
    {
        var error = Assert.Throws<SettingException>(() => new TensorRtSettings { WorkspaceMb = -5 }.Validate(EightGiB));

        Assert.Equal("tensorrt.workspace_mb", error.Key);
        Assert.Equal("-5", error.Value);
        Assert.StartsWith("1 to 8192", error.Expected, StringComparison.Ordinal);
    }
}
