using System.Text.Json;
using Edge.Cli.Configuration;
using Edge.Runtime.Inference;

namespace Edge.Cli.Tests.Commands;

/// <summary>The real app, the shipped default model and the synthetic camera, end to end.</summary>
[Trait("Category", "App")]
public sealed class EndToEndTests
{
    private static readonly string[] MessageKeys =
        ["schema", "device", "stream", "head", "source", "frame", "captured_at", "scores", "active", "turned_on", "turned_off", "latency_ms", "budget_ms", "deadline_met", "model", "ep", "batch", "truth"];

    [Fact]
    public void Run_DefaultModelOnSyntheticScenes_LabelSetsMatchGroundTruth()
    {
        const int frames = 220;
        var result = EdgeProcess.Run(
            TimeSpan.FromMinutes(5),
            "run", "--source", "synthetic?seed=11&fps=15", "--frames", frames.ToString(System.Globalization.CultureInfo.InvariantCulture), "--budget-ms", "60000", "--ep", "auto");

        Assert.Equal(0, result.ExitCode);
        var lines = result.OutputLines;
        Assert.Equal(frames, lines.Length);
        double f1Sum = 0;
        long previousFrame = 0;
        foreach (var line in lines)
        {
            using var message = JsonDocument.Parse(line);
            var root = message.RootElement;
            Assert.Equal(MessageKeys, root.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal("edge.labels/2", root.GetProperty("schema").GetString());
            Assert.Equal("cpu", root.GetProperty("ep").GetString());
            Assert.Equal(10, root.GetProperty("scores").EnumerateObject().Count());
            var frame = root.GetProperty("frame").GetInt64();
            Assert.True(frame > previousFrame, "frame numbers must increase");
            previousFrame = frame;
            var latency = root.GetProperty("latency_ms");
            Assert.True(latency.GetProperty("total").GetDouble() >= latency.GetProperty("inference").GetDouble());

            var predicted = root.GetProperty("active").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
            var truth = root.GetProperty("truth").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
            f1Sum += truth.Count + predicted.Count == 0 ? 1 : 2.0 * truth.Intersect(predicted).Count() / (truth.Count + predicted.Count);
        }

        var exampleF1 = f1Sum / lines.Length;
        Assert.True(exampleF1 >= 0.85, $"example-based F1 {exampleF1:F3} over {lines.Length} frames, expected >= 0.85");
        Assert.Contains("execution provider: cpu", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("published 220", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_OutputFile_AppendsJsonLinesAndKeepsStdoutEmpty()
    {
        using var bundle = TestBundle.Create();
        var output = Path.Combine(bundle.Directory, "labels.jsonl");

        var result = EdgeProcess.Run(TimeSpan.FromSeconds(60), "run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=0", "--frames", "5", "--budget-ms", "60000", "--output", output);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.StandardOutput);
        Assert.Equal(5, File.ReadAllLines(output).Length);
    }

    [Fact]
    public void Info_Json_ReportsProvidersAndTheModelRunWouldLoad()
    {
        var result = EdgeProcess.Run(TimeSpan.FromSeconds(60), "info", "--json");

        Assert.Equal(0, result.ExitCode);
        using var info = JsonDocument.Parse(result.StandardOutput);
        var root = info.RootElement;
        var providers = root.GetProperty("execution_providers").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains("CPUExecutionProvider", providers);
        Assert.False(root.GetProperty("opencv").GetProperty("gstreamer").GetBoolean());
        var model = root.GetProperty("model");
        var runDefault = Path.GetFileName(RunSettings.DefaultModelFor(ExecutionProviderChoice.Auto, providers));
        Assert.Equal(runDefault, Path.GetFileName(model.GetProperty("path").GetString()));
        if (!providers.Contains("CUDAExecutionProvider") && !providers.Contains("TensorrtExecutionProvider"))
        {
            Assert.Equal("multifashion-resnet18-int8-cpu", model.GetProperty("name").GetString()); // what run loads on the CPU
        }

        Assert.Equal(TestBundle.LabelNames, model.GetProperty("labels").EnumerateArray().Select(e => e.GetString()).ToArray());
    }

    [Fact]
    public void Dataset_MultiFashion_WritesImagesAndLabels()
    {
        var folder = Path.Combine(Path.GetTempPath(), "edge-dataset-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = EdgeProcess.Run(TimeSpan.FromSeconds(60), "dataset", "multifashion", "--out", folder, "--count", "12", "--split", "test", "--seed", "4");

            Assert.Equal(0, result.ExitCode);
            var rows = File.ReadAllLines(Path.Combine(folder, "labels.csv"));
            Assert.Equal("image,labels", rows[0]);
            Assert.Equal(13, rows.Length);
            Assert.Equal(12, Directory.GetFiles(folder, "*.png").Length);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
