using Edge.Runtime.Bundles;
using Edge.Runtime.Inference;
using Edge.Runtime.Options;

namespace Edge.Runtime.Tests;

public sealed class ModelSessionTests
{
    [Fact]
    public void Create_MatchingManifest_RunsAndOutputsOneFiniteScorePerLabel()
    {
        using var test = TestBundle.Create();
        using var session = ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1);
        var random = new Random(3);
        for (var i = 0; i < session.Input.Length; i++)
        {
            session.Input[i] = random.Next(256);
        }

        session.Run();

        Assert.Equal(3 * 32 * 32, session.Input.Length);
        Assert.Equal(10, session.Output.Length);
        Assert.All(session.Output, value => Assert.True(float.IsFinite(value), $"output {value} is not finite"));
        Assert.Equal("cpu", session.Report.Active);
        Assert.Empty(session.Report.Skipped);
    }

    [Fact]
    public void Run_InputChangedAfterCreation_IsSeenByTheModel()
    {
        using var test = TestBundle.Create();
        using var session = ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1);

        Array.Fill(session.Input, 0f);
        session.Run();
        var dark = session.Output.ToArray();
        Array.Fill(session.Input, 255f);
        session.Run();
        var bright = session.Output.ToArray();
        Array.Fill(session.Input, 0f);
        session.Run();
        var darkAgain = session.Output.ToArray();

        Assert.NotEqual(dark, bright);
        Assert.Equal(dark, darkAgain);
    }

    [Fact]
    public void Create_NineLabelsForTenOutputs_ThrowsNamingLabels()
    {
        using var test = TestBundle.Create(m => m["labels"] = TestBundle.Labels(9));

        var exception = Assert.Throws<ModelBundleException>(() => ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1));

        Assert.Contains("manifest field 'labels'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("9 labels", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("width", 64, "input.width")]
    [InlineData("height", 64, "input.height")]
    [InlineData("width", 16, "input.width")]
    public void Create_InputSizeDiffersFromModel_ThrowsNamingTheDimension(string key, int value, string field)
    {
        using var test = TestBundle.Create(m => m["input"]![key] = value);

        var exception = Assert.Throws<ModelBundleException>(() => ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1));

        Assert.Contains($"manifest field '{field}'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WrongInputName_ThrowsNamingInputName()
    {
        using var test = TestBundle.Create(m => m["input"]!["name"] = "pixels");

        var exception = Assert.Throws<ModelBundleException>(() => ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1));

        Assert.Contains("manifest field 'input.name'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("image", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WrongOutputName_ThrowsNamingOutputName()
    {
        using var test = TestBundle.Create(m => m["output"]!["name"] = "scores");

        var exception = Assert.Throws<ModelBundleException>(() => ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1));

        Assert.Contains("manifest field 'output.name'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("logits", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NhwcLayoutForNchwModel_ThrowsNamingLayout()
    {
        using var test = TestBundle.Create(m => m["input"]!["layout"] = "nhwc");

        var exception = Assert.Throws<ModelBundleException>(() => ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1));

        Assert.Contains("manifest field 'input.layout'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_CorruptOnnxFileWithMatchingHash_ThrowsSayingItCouldNotBeLoaded()
    {
        using var test = TestBundle.Create();
        var garbage = new byte[4096];
        new Random(11).NextBytes(garbage);
        test.ReplaceModel(garbage);
        var bundle = test.Load();

        var exception = Assert.Throws<ModelBundleException>(() => ModelSession.Create(bundle, ExecutionProviderChoice.Cpu, 1));

        Assert.Contains("could not be loaded", exception.Message, StringComparison.Ordinal);
        Assert.Contains(test.ModelPath, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExecutionProviderChoice.TensorRt, "tensorrt", ExecutionProviderNames.TensorRt)]
    [InlineData(ExecutionProviderChoice.Cuda, "cuda", ExecutionProviderNames.Cuda)]
    public void Create_ExplicitGpuProviderOnCpuOnlyBuild_ThrowsSettingExceptionForEp(ExecutionProviderChoice choice, string shortName, string providerName)
    {
        Assert.DoesNotContain(providerName, SessionFactory.AvailableProviders()); // precondition: the CPU-only NuGet build
        using var test = TestBundle.Create();
        var bundle = test.Load();

        var error = Assert.Throws<SettingException>(() => ModelSession.Create(bundle, choice, 1));

        Assert.Equal("ep", error.Key);
        Assert.StartsWith("is not available", error.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"--ep {shortName} is not available", error.MessageNaming("--ep"), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Auto_FallsBackToCpuAndSaysWhyGpuProvidersWereSkipped()
    {
        Assert.Contains(ExecutionProviderNames.Cpu, SessionFactory.AvailableProviders());
        Assert.DoesNotContain(ExecutionProviderNames.Cuda, SessionFactory.AvailableProviders()); // precondition: CPU-only build
        using var test = TestBundle.Create();

        using var session = ModelSession.Create(test.Load(), ExecutionProviderChoice.Auto, 1);

        Assert.Equal("cpu", session.Report.Active);
        Assert.Equal(2, session.Report.Skipped.Count);
        Assert.StartsWith("tensorrt skipped", session.Report.Skipped[0], StringComparison.Ordinal);
        Assert.StartsWith("cuda skipped", session.Report.Skipped[1], StringComparison.Ordinal);
        Assert.Contains("tensorrt skipped", session.Report.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto", ExecutionProviderChoice.Auto)]
    [InlineData("TensorRT", ExecutionProviderChoice.TensorRt)]
    [InlineData("trt", ExecutionProviderChoice.TensorRt)]
    [InlineData("cuda", ExecutionProviderChoice.Cuda)]
    [InlineData("CPU", ExecutionProviderChoice.Cpu)]
    public void Parse_KnownName_GivesChoice(string text, ExecutionProviderChoice expected)
    {
        Assert.Equal(expected, ExecutionProviderNames.Parse(text));
    }

    [Fact]
    public void Parse_UnknownName_ThrowsListingTheChoices()
    {
        var exception = Assert.Throws<ArgumentException>(() => ExecutionProviderNames.Parse("gpu"));

        Assert.Contains("auto, tensorrt, cuda or cpu", exception.Message, StringComparison.Ordinal);
    }
}
