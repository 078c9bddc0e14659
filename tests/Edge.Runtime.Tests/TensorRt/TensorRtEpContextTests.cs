using Edge.Runtime.Inference.TensorRt;

namespace Edge.Runtime.Tests.TensorRt;

public sealed class TensorRtEpContextTests : IDisposable
{
    private readonly DirectoryInfo cache = Directory.CreateTempSubdirectory("edge-trt-cache-");

    public void Dispose() => cache.Delete(recursive: true);

    [Fact]
    public void NoDump_NeverLoadsAContextModel()
    {
        File.WriteAllText(Path.Combine(cache.FullName, TensorRtProviderOptions.EpContextFileName), "ctx");

        Assert.Null(TensorRtProviderOptions.ExistingContextModel(new TensorRtSettings(), cache.FullName));
    }

    [Fact]
    public void Dump_FirstRunBuildsFromOnnx_LaterRunsLoadTheDumpFromTheKeyedFolder()
    {
        var settings = new TensorRtSettings { DumpEpContext = true };
        Assert.Null(TensorRtProviderOptions.ExistingContextModel(settings, cache.FullName));

        var dumped = Path.Combine(cache.FullName, TensorRtProviderOptions.EpContextFileName);
        File.WriteAllText(dumped, "ctx");

        Assert.Equal(dumped, TensorRtProviderOptions.ExistingContextModel(settings, cache.FullName));
    }

    [Fact]
    public void LoadingAContextModel_DoesNotDumpAgain()
    {
        var settings = new TensorRtSettings { DumpEpContext = true, EpContextPath = Path.Combine(cache.FullName, "custom_ctx.onnx") };

        var loading = settings.WithoutEpContextDump();
        var options = TensorRtProviderOptions.ToDictionary(loading, cache.FullName, int8: true);

        Assert.Equal("0", options["trt_dump_ep_context_model"]);
        Assert.False(options.ContainsKey("trt_ep_context_file_path"));
        Assert.True(settings.DumpEpContext); // the original is untouched
    }
}
