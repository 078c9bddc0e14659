using System.Text.Json.Nodes;
using Edge.Camera.Sources;
using Edge.Cli.Commands;
using Edge.Runtime.Bundles;
using Edge.Tools.Evaluation.Datasets;

namespace Edge.Cli.Tests.Commands;

/// <summary>
/// A NUL byte in any path the user gives: on the command line (a response file can carry one), in a settings file,
/// a dataset file or a manifest. Each is refused with one line naming where it came from and that file's exit code,
/// never .NET's "Null character in path" with exit 1.
/// </summary>
[Trait("Category", "App")]
public sealed class NulBytePathTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("edge-nul-");
    private readonly TestBundle bundle = TestBundle.Create();

    public void Dispose()
    {
        bundle.Dispose();
        folder.Delete(recursive: true);
    }

    [Fact]
    public void Eval_CsvRowWithNulInTheImagePath_ExitsInvalidDatasetNamingFileAndLine()
    {
        var csv = Path.Combine(folder.FullName, "labels.csv");
        File.WriteAllText(csv, "image,labels\nsh\0irt.png,shirt\n");

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidDataset, $"{csv}:2: image 'sh\\0irt.png' holds a NUL byte: expected a file name");
    }

    [Fact]
    public void Eval_CocoFileNameWithNul_ExitsInvalidDatasetNamingTheEntry()
    {
        var json = Path.Combine(folder.FullName, "instances.json");
        File.WriteAllText(json, """{"images":[{"id":1,"file_name":"a\u0000.png"}],"annotations":[],"categories":[{"id":1,"name":"shirt"}]}""");

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", json);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidDataset, $"{json}: images[0]: image 'a\\0.png' holds a NUL byte");
    }

    [Theory]
    [InlineData("run", "--model")]
    [InlineData("run", "--output")]
    [InlineData("run", "--events")]
    [InlineData("run", "--hard-frames")]
    [InlineData("run", "--source", "images:")]
    [InlineData("run", "--source", "file:")]
    [InlineData("eval", "--data")]
    [InlineData("quantize", "--out")]
    public void ResponseFileValueWithNul_ExitsInvalidArgumentsNamingTheOption(string verb, string option, string prefix = "")
    {
        var arguments = Path.Combine(folder.FullName, "args.rsp");
        File.WriteAllText(arguments, $"{option}\n{prefix}{folder.FullName}/a\0b\n");

        var result = EdgeProcess.Run(Timeout, verb, $"@{arguments}");

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, $"the value of {option} '{prefix}{folder.FullName}/a\\0b' holds a NUL byte");
    }

    [Theory]
    [InlineData("output")]
    [InlineData("model")]
    [InlineData("source")]
    public void Run_SettingsFilePathWithNul_ExitsInvalidArgumentsNamingTheKey(string key)
    {
        var config = Path.Combine(folder.FullName, "edge.json");
        File.WriteAllText(config, $$"""{"{{key}}": "{{folder.FullName}}/a\u0000b"}""");

        var result = EdgeProcess.Run(Timeout, "run", "--config", config, "--frames", "1");

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, $"config file '{config}': the value at $.{key} (line 1) holds a NUL byte");
    }

    [Fact]
    public void Run_ManifestModelFileWithNul_ExitsInvalidModelNamingTheField()
    {
        bundle.Manifest["model_file"] = JsonValue.Create("model\0.onnx");
        bundle.WriteManifest();

        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--frames", "1");

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidModel, "the value at $.model_file (line");
    }

    [Fact]
    public void DatasetReader_PathWithNul_ThrowsDatasetException()
    {
        var error = Assert.Throws<DatasetException>(() => DatasetReader.Read($"{folder.FullName}/a\0b.csv"));

        Assert.Equal($"dataset path '{folder.FullName}/a\\0b.csv' holds a NUL byte: expected a CSV file, a folder with labels.csv, a COCO JSON file or a VOC folder", error.Message);
    }

    [Fact]
    public void ModelBundle_FolderWithNul_ThrowsModelBundleException()
    {
        var error = Assert.Throws<ModelBundleException>(() => ModelBundle.Load("models/a\0b"));

        Assert.StartsWith("model bundle folder 'models/a\\0b' holds a NUL byte", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SourceSpec_PathWithNul_ThrowsFrameSourceException()
    {
        var error = Assert.Throws<FrameSourceException>(() => SourceSpec.Parse("file:clip\0.mp4"));

        Assert.StartsWith("source 'file:clip\\0.mp4' holds a NUL byte", error.Message, StringComparison.Ordinal);
    }
}
