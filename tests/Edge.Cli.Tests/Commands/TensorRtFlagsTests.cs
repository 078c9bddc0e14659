using Edge.Cli.Commands;
using Edge.Runtime.Inference.TensorRt;

namespace Edge.Cli.Tests.Commands;

public sealed class TensorRtFlagsTests
{
    [Fact]
    public void NoFlags_KeepTheFileSettings()
    {
        var fromFile = new TensorRtSettings { WorkspaceMb = 512 };

        Assert.Same(fromFile, TensorRtFlags.Apply(fromFile, null, null));
        Assert.Null(TensorRtFlags.Apply(null, null, null));
    }

    [Fact]
    public void Flags_OverrideTheFile_AndKeepItsOtherKeys()
    {
        var settings = TensorRtFlags.Apply(new TensorRtSettings { WorkspaceMb = 512 }, "/data/trt", fp16: false)!;

        Assert.Equal("/data/trt", settings.EngineCacheDirectory);
        Assert.False(settings.Fp16);
        Assert.Equal(512, settings.WorkspaceMb);
    }
}
