using System.Text.Json;
using Edge.Cli.Commands;

namespace Edge.Cli.Tests.Commands;

/// <summary><c>edge eval</c> through the real app on small CSV datasets written by the test.</summary>
[Trait("Category", "App")]
public sealed class EvalCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly string[] MetricKeys =
        ["mAP", "CP", "CR", "CF1", "OP", "OR", "OF1", "CP_top3", "CR_top3", "CF1_top3", "OP_top3", "OR_top3", "OF1_top3", "hamming_loss", "subset_accuracy", "example_f1", "images", "skipped_labels", "per_label", "dataset", "model", "slices"];

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("edge-eval-");
    private readonly TestBundle bundle = TestBundle.Create();

    [Fact]
    public void Eval_CsvDatasetWithSlices_WritesAllMetricKeysAndSlices()
    {
        var csv = WriteDataset(
            "image,labels,slice",
            "a.png,trouser;bag,test",
            "b.png,coat,test",
            "c.png,,ood",
            "d.png,bag,ood");
        var json = Path.Combine(folder.FullName, "metrics.json");

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv, "--json", json);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("mAP", result.StandardOutput, StringComparison.Ordinal);
        using var metrics = JsonDocument.Parse(File.ReadAllText(json));
        var root = metrics.RootElement;
        Assert.Equal(MetricKeys, root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(4, root.GetProperty("images").GetInt32());
        Assert.Equal(10, root.GetProperty("per_label").GetArrayLength());
        Assert.Contains("t-shirt", root.GetProperty("skipped_labels").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["ood", "test"], root.GetProperty("slices").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(2, root.GetProperty("slices").GetProperty("ood").GetProperty("images").GetInt32());
        Assert.Equal("tiny-multilabel", root.GetProperty("model").GetProperty("name").GetString());
    }

    [Fact]
    public void Eval_JsonToStdout_PrintsOnlyJson()
    {
        var csv = WriteDataset("image,labels", "a.png,trouser", "b.png,bag");

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv, "--json", "-");

        Assert.Equal(0, result.ExitCode);
        using var metrics = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(2, metrics.RootElement.GetProperty("images").GetInt32());
    }

    [Fact]
    public void Eval_LabelTheModelDoesNotKnow_ExitsInvalidDatasetNamingIt()
    {
        var csv = WriteDataset("image,labels", "a.png,trouser;umbrella");

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv);

        Assert.Equal((int)ExitCode.InvalidDataset, result.ExitCode);
        Assert.Contains("'umbrella'", Assert.Single(result.ErrorLines, l => l.StartsWith("edge: error:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_MissingImage_ExitsInvalidDatasetNamingTheFile()
    {
        var csv = WriteDataset("image,labels", "a.png,trouser", "missing.png,bag");
        File.Delete(Path.Combine(folder.FullName, "missing.png"));

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv);

        Assert.Equal((int)ExitCode.InvalidDataset, result.ExitCode);
        Assert.Contains("missing.png", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_EmptyDataset_ExitsInvalidDataset()
    {
        var csv = WriteDataset("image,labels");

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv);

        Assert.Equal((int)ExitCode.InvalidDataset, result.ExitCode);
        Assert.Single(result.ErrorLines, l => l.StartsWith("edge: error:", StringComparison.Ordinal));
    }

    [Fact]
    public void Eval_TuneThresholdsWithWrite_RewritesTheManifestWhichStillLoads()
    {
        var csv = WriteDataset("image,labels", "a.png,trouser;bag", "b.png,coat", "c.png,", "d.png,bag", "e.png,trouser");
        var before = File.ReadAllText(bundle.ManifestPath);

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv, "--tune-thresholds", "--write", "--json", "-");

        Assert.Equal(0, result.ExitCode);
        using var metrics = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(10, metrics.RootElement.GetProperty("tuned_thresholds").GetArrayLength());
        var after = File.ReadAllText(bundle.ManifestPath);
        Assert.NotEqual(before, after);
        Assert.Contains("edge eval --tune-thresholds", after, StringComparison.Ordinal);
        var reloaded = bundle.Load();
        var tuned = metrics.RootElement.GetProperty("tuned_thresholds").EnumerateArray().Select(t => t.GetProperty("tuned").GetDouble()).ToArray();
        Assert.Equal(tuned, reloaded.Labels.Select(l => Math.Round((double)l.On, 4)).ToArray());
    }

    [Fact]
    public void Eval_TuneThresholdsWithoutWrite_LeavesTheManifestAlone()
    {
        var csv = WriteDataset("image,labels", "a.png,trouser", "b.png,bag");
        var before = File.ReadAllText(bundle.ManifestPath);

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv, "--tune-thresholds");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("tuned F1", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(bundle.ManifestPath));
    }

    [Fact]
    public void Eval_WriteWithoutTune_ExitsInvalidArguments()
    {
        var csv = WriteDataset("image,labels", "a.png,trouser");

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv, "--write");

        Assert.Equal((int)ExitCode.InvalidArguments, result.ExitCode);
        Assert.Contains("--write needs --tune-thresholds", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ReportWithTheDefaultModel_WritesChartsOverlaysAndSummary()
    {
        var data = Path.Combine(folder.FullName, "scenes");
        Assert.Equal(0, EdgeProcess.Run(Timeout, "dataset", "multifashion", "--out", data, "--count", "10", "--seed", "5").ExitCode);
        var report = Path.Combine(folder.FullName, "report");

        var result = EdgeProcess.Run(Timeout, "eval", "--data", data, "--report", report);

        Assert.Equal(0, result.ExitCode);
        foreach (var chart in new[] { "ap.png", "precision-recall.png", "errors.png" })
        {
            using var image = OpenCvSharp.Cv2.ImRead(Path.Combine(report, chart));
            Assert.False(image.Empty(), $"{chart} is not a readable image");
        }

        var overlays = Directory.GetFiles(Path.Combine(report, "overlays"), "*.png");
        Assert.Equal(8, overlays.Length);
        var summary = File.ReadAllText(Path.Combine(report, "summary.md"));
        Assert.Contains("![average precision per label](ap.png)", summary, StringComparison.Ordinal);
        Assert.Contains("overlays/" + Path.GetFileName(overlays[0]), summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ReportForAModelWithoutMaps_WritesChartsWithoutOverlays()
    {
        var csv = WriteDataset("image,labels", "a.png,trouser", "b.png,bag");
        var report = Path.Combine(folder.FullName, "report");

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", csv, "--report", report);

        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(report, "errors.png")));
        Assert.False(Directory.Exists(Path.Combine(report, "overlays")));
        Assert.DoesNotContain("Activation maps", File.ReadAllText(Path.Combine(report, "summary.md")), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        bundle.Dispose();
        folder.Delete(recursive: true);
    }

    private string WriteDataset(params string[] lines)
    {
        var shade = 20;
        foreach (var line in lines.Skip(1))
        {
            var image = line.Split(',')[0];
            using var mat = new OpenCvSharp.Mat(32, 32, OpenCvSharp.MatType.CV_8UC3, new OpenCvSharp.Scalar(shade, 255 - shade, shade * 2 % 255));
            OpenCvSharp.Cv2.ImWrite(Path.Combine(folder.FullName, image), mat);
            shade += 40;
        }

        var csv = Path.Combine(folder.FullName, "labels.csv");
        File.WriteAllLines(csv, lines);
        return csv;
    }
}
