using System.Text.Json;
using Edge.Cli.Commands;
using Edge.Runtime.Bundles;
using Edge.Tools.Quantization;

namespace Edge.Cli.Tests.Commands;

/// <summary><c>edge quantize</c> through the real app, on the tiny fixture bundle and a small rendered dataset.</summary>
[Trait("Category", "App")]
public sealed class QuantizeCommandTests : IClassFixture<QuantizeCommandTests.Scenes>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private readonly TestBundle bundle = TestBundle.Create();
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("edge-quantize-");
    private readonly Scenes scenes;

    public QuantizeCommandTests(Scenes scenes) => this.scenes = scenes;

    public void Dispose()
    {
        bundle.Dispose();
        work.Delete(recursive: true);
    }

    [Fact]
    public void CpuTarget_WritesAnInt8BundleFusedByOnnxRuntime_WithAReport()
    {
        var output = Path.Combine(work.FullName, "int8-cpu");

        var result = Quantize("--out", output, "--validation", scenes.Folder, "--latency-frames", "20");

        Assert.Equal(0, result.ExitCode);
        var int8 = ModelBundle.Load(output);
        Assert.Equal("int8", int8.Precision);
        Assert.Equal("tiny-multilabel-int8-cpu", int8.Name);
        var quantization = int8.Manifest.Quantization!;
        Assert.Equal("cpu", quantization.Target);
        Assert.Equal("minmax", quantization.Method);
        Assert.Equal(Scenes.Count, quantization.CalibrationImages);
        Assert.Equal(64, quantization.CalibrationSha256!.Length);
        Assert.Equal(bundle.Load().Sha256, quantization.SourceSha256);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "quantization-report.json")));
        var root = report.RootElement;
        Assert.True(root.GetProperty("fusion").GetProperty("fused_operators").GetInt32() > 0);
        Assert.True(root.GetProperty("fusion").GetProperty("optimized_operator_counts").GetProperty("QLinearConv").GetInt32() > 0);
        Assert.Equal(10, root.GetProperty("accuracy").GetProperty("per_label").GetArrayLength());
        Assert.True(double.IsFinite(root.GetProperty("accuracy").GetProperty("map_drop").GetDouble()));
        Assert.True(root.GetProperty("latency_cpu").GetProperty("speedup_bare_p50").GetDouble() > 0);
        Assert.NotEmpty(root.GetProperty("tensor_sqnr_db").EnumerateArray());
        Assert.Contains("| label | AP FP32 | AP INT8 | drop |", File.ReadAllText(Path.Combine(output, "quantization-report.md")), StringComparison.Ordinal);

        // The INT8 bundle runs.
        var run = EdgeProcess.Run(Timeout, "run", "--model", output, "--source", "synthetic?size=32&fps=0", "--frames", "3", "--budget-ms", "60000");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(3, run.OutputLines.Length);
        Assert.Contains("\"precision\":\"int8\"", run.OutputLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void RetuneThresholds_RewritesTheInt8BundlesThresholds_AndAutomaticModeRuns()
    {
        var output = Path.Combine(work.FullName, "tuned");

        var result = Quantize("--out", output, "--validation", scenes.Folder, "--retune-thresholds", "true", "--max-map-drop", "0");

        Assert.Equal(0, result.ExitCode);
        var source = bundle.Load();
        var tuned = ModelBundle.Load(output);
        Assert.NotEqual(source.Labels.Select(l => l.On), tuned.Labels.Select(l => l.On));
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "quantization-report.json")));
        // With a 0-point target the automatic mode returns layers to float until none is left or the drop is 0.
        var steps = report.RootElement.GetProperty("automatic_steps").GetArrayLength();
        var drop = report.RootElement.GetProperty("accuracy").GetProperty("map_drop").GetDouble();
        Assert.True(drop <= 0 || steps > 0, $"drop {drop} with {steps} automatic steps");
    }

    [Fact]
    public void TensorRtTarget_PassesTheChecker_WhileTheCpuTargetFailsIt()
    {
        var trt = Path.Combine(work.FullName, "int8-trt");
        var cpu = Path.Combine(work.FullName, "int8-cpu");
        Assert.Equal(0, Quantize("--out", trt, "--target", "tensorrt", "--method", "entropy").ExitCode);
        Assert.Equal(0, Quantize("--out", cpu, "--method", "percentile", "--percentile", "99.99").ExitCode);

        var clean = EdgeProcess.Run(Timeout, "quantize", "--check-tensorrt", trt);
        var broken = EdgeProcess.Run(Timeout, "quantize", "--check-tensorrt", Path.Combine(cpu, "model.onnx"));

        Assert.Equal(0, clean.ExitCode);
        Assert.Contains("no violations", clean.StandardOutput, StringComparison.Ordinal);
        EdgeProcess.AssertOneLineError(broken, ExitCode.TensorRtRulesBroken, "breaks TensorRT's Q/DQ rules");
        Assert.Contains("int8-only", broken.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("tensorrt", ModelBundle.Load(trt).Manifest.Quantization!.Target);
    }

    [Fact]
    public void DynamicBatchBundle_Int8BundleKeepsTheBatchFieldAndTheSymbolicAxis()
    {
        using var batched = TestBundle.CreateBatched(maxBatch: 4);
        var output = Path.Combine(work.FullName, "int8-batch");

        var result = Quantize("--model", batched.Directory, "--out", output);

        Assert.Equal(0, result.ExitCode);
        var int8 = ModelBundle.Load(output);
        Assert.Equal(new BatchAxis(true, 4), int8.Batch);
        var model = Edge.Quantize.Onnx.OnnxModel.Load(int8.ModelPath);
        Assert.Equal("N", model.Graph.Input.Single(i => i.Name == "image").Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal("N", model.Graph.Output.Single(o => o.Name == "logits").Type.TensorType.Shape.Dim[0].DimParam);
        using var session = Edge.Runtime.Inference.ModelSession.Create(int8, Edge.Runtime.Inference.ExecutionProviderChoice.Cpu, 1);
    }

    [Fact]
    public void AlreadyQuantizedBundle_IsRefused()
    {
        var first = Path.Combine(work.FullName, "first");
        Assert.Equal(0, Quantize("--out", first).ExitCode);

        var result = Quantize("--model", first, "--out", Path.Combine(work.FullName, "second"));

        EdgeProcess.AssertOneLineError(result, ExitCode.QuantizationRefused, "is already int8");
        Assert.False(Directory.Exists(Path.Combine(work.FullName, "second")));
    }

    [Fact]
    public void Force_ReplacesTheBundle_AndDeletesWhatDeadRunsLeftNextToIt()
    {
        var output = Path.Combine(work.FullName, "int8");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "old.txt"), "the bundle being replaced");
        // An older version's staging folder from a killed run, and one of this version whose process is gone.
        var legacy = Directory.CreateDirectory(output + ".partial-0badf00d").FullName;
        File.WriteAllText(Path.Combine(legacy, "model.onnx"), "half-written");
        Directory.SetLastWriteTimeUtc(legacy, DateTime.UtcNow.AddDays(-2));
        var dead = Directory.CreateDirectory($"{output}.partial-{BundleReplacement.OwnerToken("1badf00d", int.MaxValue, 0, Environment.MachineName)}").FullName;

        var result = Quantize("--out", output, "--force", "true");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("int8", ModelBundle.Load(output).Precision);
        Assert.False(File.Exists(Path.Combine(output, "old.txt")));
        Assert.Equal([output], Directory.GetDirectories(work.FullName, "int8*"));
        Assert.Contains($"deleted '{dead}'", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreadableCalibrationImage_FailsLikeAnyUnreadableImage_AndLeavesNoOutput()
    {
        var images = work.CreateSubdirectory("images");
        File.Copy(Directory.EnumerateFiles(scenes.Folder, "*.png").First(), Path.Combine(images.FullName, "a.png"));
        File.WriteAllBytes(Path.Combine(images.FullName, "b.png"), [1, 2, 3, 4]);
        var output = Path.Combine(work.FullName, "never");

        var result = Quantize("--calibration", $"images:{images.FullName}", "--out", output);

        // An unreadable image is a source failure wherever images are read (run, eval, quantize): exit 4.
        EdgeProcess.AssertOneLineError(result, ExitCode.SourceFailed, "b.png");
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.EnumerateDirectories(work.FullName, "never*"));
    }

    [Theory]
    [InlineData("empty-images", ExitCode.QuantizationRefused, "has no images")]
    [InlineData("existing-output", ExitCode.QuantizationRefused, "exists and is not empty")]
    [InlineData("bad-target", ExitCode.InvalidArguments, "--target 'gpu' is invalid")]
    [InlineData("bad-method", ExitCode.InvalidArguments, "--method 'kl' is invalid")]
    [InlineData("auto-without-validation", ExitCode.InvalidArguments, "need --validation")]
    [InlineData("corrupt-model", ExitCode.QuantizationRefused, "is not a valid ONNX file")]
    [InlineData("root-output", ExitCode.QuantizationRefused, "is a file system root")]
    public void BadInput_OneLineErrorAndExitCode(string problem, ExitCode expected, string mentions)
    {
        var output = Path.Combine(work.FullName, "out");
        string[] arguments = problem switch
        {
            "empty-images" => ["--calibration", $"images:{work.CreateSubdirectory("nothing").FullName}", "--out", output],
            "existing-output" => ["--out", work.CreateSubdirectory("taken").FullName],
            "bad-target" => ["--out", output, "--target", "gpu"],
            "bad-method" => ["--out", output, "--method", "kl"],
            "auto-without-validation" => ["--out", output, "--max-map-drop", "0.5"],
            "root-output" => ["--out", "/", "--force", "true"],
            _ => ["--out", output],
        };
        if (problem == "existing-output")
        {
            File.WriteAllText(Path.Combine(work.FullName, "taken", "keep.txt"), "user data");
        }

        if (problem == "corrupt-model")
        {
            bundle.ReplaceModel([0x08, 0x07, 0x12, 0xFF, 0x00, 0x13, 0x37]);
        }

        var result = Quantize(arguments);

        EdgeProcess.AssertOneLineError(result, expected, mentions);
        Assert.False(Directory.Exists(output));
        if (problem == "existing-output")
        {
            Assert.Equal("user data", File.ReadAllText(Path.Combine(work.FullName, "taken", "keep.txt")));
        }
    }

    private EdgeProcess.Result Quantize(params string[] arguments)
    {
        var options = new Dictionary<string, string>
        {
            ["--model"] = bundle.Directory,
            ["--calibration"] = scenes.Folder,
            ["--threads"] = "1",
            ["--latency-frames"] = "0",
        };
        for (var i = 0; i < arguments.Length; i += 2)
        {
            options[arguments[i]] = arguments[i + 1];
        }

        return EdgeProcess.Run(Timeout, ["quantize", .. options.SelectMany(p => new[] { p.Key, p.Value })]);
    }

    /// <summary>A few MultiFashion scenes with labels, rendered once for the class.</summary>
    public sealed class Scenes : IDisposable
    {
        public const int Count = 12;

        public Scenes()
        {
            Folder = Path.Combine(Path.GetTempPath(), "edge-quantize-scenes-" + Guid.NewGuid().ToString("N"));
            var result = EdgeProcess.Run(Timeout, "dataset", "multifashion", "--out", Folder, "--count", Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--split", "val", "--seed", "2", "--size", "64");
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"rendering scenes failed: {result.StandardError}");
            }
        }

        public string Folder { get; }

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }
}
