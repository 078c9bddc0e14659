using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Edge.Cli.Commands;

namespace Edge.Cli.Tests.Commands;

/// <summary>
/// <c>edge eval --robustness</c> through the real app: the tiny fixture model on robustness sets rendered with the
/// MultiFashion renderer (families differ by seed), and every way the arguments or the set can be wrong.
/// </summary>
[Trait("Category", "App")]
public sealed class EvalRobustnessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("edge-eval-robustness-");
    private readonly TestBundle bundle = TestBundle.Create();
    private readonly RobustnessSetFolder set = RobustnessSetFolder.Render(5);

    [Fact]
    public void Eval_RobustnessSet_PrintsTheTableAndWritesJsonAndPlot()
    {
        var json = Path.Combine(folder.FullName, "robustness.json");
        var plot = Path.Combine(folder.FullName, "robustness.svg");

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--robustness", set.Path, "--json", json, "--plot", plot);

        Assert.Equal(0, result.ExitCode);
        var lines = result.OutputLines;
        Assert.StartsWith($"robustness set {set.Path}: split test, seed 3, 5 scenes per family at 32 px", lines[0], StringComparison.Ordinal);
        Assert.Equal(["family", "kind", "images", "mAP", "ΔmAP", "OF1", "ΔOF1", "OR", "ΔOR"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(
            ["clean clean 5", "tint appearance 5", "scale-small geometry 5", "out-of-context context 5", "shifted mean 2 families"],
            lines[2..7].Select(line => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeWhile(word => !word.Contains('.', StringComparison.Ordinal) && word != "-"))));
        Assert.StartsWith("worst family: ", lines[7], StringComparison.Ordinal);

        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var root = report.RootElement;
        Assert.Equal("edge-robustness-report/1", root.GetProperty("format").GetString());
        Assert.Equal("tiny-multilabel", root.GetProperty("model").GetProperty("name").GetString());
        var families = root.GetProperty("families").EnumerateArray().ToArray();
        Assert.Equal(["clean", "tint", "scale-small", "out-of-context"], families.Select(f => f.GetProperty("name").GetString()));
        Assert.All(families, f => Assert.Equal(10, f.GetProperty("per_label").GetArrayLength()));
        var clean = families[0];
        foreach (var family in families)
        {
            foreach (var metric in new[] { "mAP", "OF1", "OR" })
            {
                Assert.Equal(clean.GetProperty(metric).GetDouble() - family.GetProperty(metric).GetDouble(), family.GetProperty("gap").GetProperty(metric).GetDouble(), 0.0002);
            }

            // The table shows the JSON's numbers.
            var row = lines[2..6].Single(line => line.StartsWith(family.GetProperty("name").GetString() + " ", StringComparison.Ordinal));
            Assert.Contains(family.GetProperty("mAP").GetDouble().ToString("F2", CultureInfo.InvariantCulture), row, StringComparison.Ordinal);
        }

        var svg = XDocument.Load(plot);
        var bars = svg.Descendants(XName.Get("rect", "http://www.w3.org/2000/svg")).Where(r => (string?)r.Attribute("class") == "bar").ToArray();
        Assert.Equal(8, bars.Length);
        Assert.Contains($"plot written to {plot}", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_RobustnessJsonToStdoutWithLimit_PrintsOnlyJsonForTheFirstImages()
    {
        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--robustness", set.Path, "--json", "-", "--limit", "2");

        Assert.Equal(0, result.ExitCode);
        using var report = JsonDocument.Parse(result.StandardOutput);
        Assert.All(report.RootElement.GetProperty("families").EnumerateArray(), f => Assert.Equal(2, f.GetProperty("images").GetInt32()));
        Assert.Contains("on 4 families (8 images)", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_RobustnessWithTuneAndWrite_TunesOnAllFamiliesPooledAndWritesTheManifest()
    {
        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--robustness", set.Path, "--tune-thresholds", "--write", "--json", "-");

        Assert.Equal(0, result.ExitCode);
        using var report = JsonDocument.Parse(result.StandardOutput);
        var root = report.RootElement;
        var tuned = root.GetProperty("tuned_thresholds").EnumerateArray().ToArray();
        Assert.Equal(10, tuned.Length);
        for (var label = 0; label < tuned.Length; label++)
        {
            // Pooled: a label's positives are its support summed over every family.
            var support = root.GetProperty("families").EnumerateArray().Sum(f => f.GetProperty("per_label")[label].GetProperty("support").GetInt32());
            Assert.Equal(support, tuned[label].GetProperty("positives").GetInt32());
        }

        var manifest = File.ReadAllText(bundle.ManifestPath);
        Assert.Contains($"on robustness set {set.Path}, all 4 families pooled (20 images)", manifest, StringComparison.Ordinal);
        Assert.Equal(tuned.Select(t => t.GetProperty("tuned").GetDouble()), bundle.Load().Labels.Select(l => Math.Round((double)l.On, 4)));
    }

    [Fact]
    public void Eval_RobustnessWithTuneWithoutWrite_PrintsThresholdsAndLeavesTheManifest()
    {
        var before = File.ReadAllText(bundle.ManifestPath);

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--robustness", set.Path, "--tune-thresholds");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("tuned F1", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("(tuned on all 4 families pooled, 20 images)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(bundle.ManifestPath));
    }

    [Theory]
    [InlineData("data", "--data and --robustness exclude each other")]
    [InlineData("format", "--format goes with --data")]
    [InlineData("images", "--images goes with --data")]
    [InlineData("report", "--report goes with --data")]
    [InlineData("plot-not-svg", "expected a file name ending in .svg")]
    [InlineData("plot-folder-missing", "does not exist: expected a file in an existing folder")]
    [InlineData("json-folder-missing", "does not exist: expected a file in an existing folder")]
    [InlineData("limit", "--limit 0 is invalid: expected 1 or more images")]
    public void Eval_RobustnessWithAnOptionThatDoesNotFit_ExitsInvalidArguments(string option, string mentions)
    {
        string[] extra = option switch
        {
            "data" => ["--data", set.FolderOf("clean")],
            "format" => ["--format", "csv"],
            "images" => ["--images", set.FolderOf("clean")],
            "report" => ["--report", Path.Combine(folder.FullName, "report")],
            "plot-not-svg" => ["--plot", Path.Combine(folder.FullName, "plot.png")],
            "plot-folder-missing" => ["--plot", Path.Combine(folder.FullName, "missing", "plot.svg")],
            "json-folder-missing" => ["--json", Path.Combine(folder.FullName, "missing", "report.json")],
            _ => ["--limit", "0"],
        };

        var result = EdgeProcess.Run(Timeout, ["eval", "--model", bundle.Directory, "--robustness", set.Path, .. extra]);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, mentions);
    }

    [Fact]
    public void Eval_NeitherDataNorRobustness_ExitsInvalidArguments()
    {
        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, "nothing to evaluate on: expected --data DATASET or --robustness DIR");
    }

    [Fact]
    public void Eval_PlotWithData_ExitsInvalidArguments()
    {
        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", set.FolderOf("clean"), "--plot", Path.Combine(folder.FullName, "plot.svg"));

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, "--plot needs --robustness");
    }

    [Fact]
    public void Eval_DataWithLimit_EvaluatesTheFirstImages()
    {
        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", set.FolderOf("clean"), "--limit", "3", "--json", "-");

        Assert.Equal(0, result.ExitCode);
        using var metrics = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(3, metrics.RootElement.GetProperty("images").GetInt32());
    }

    [Theory]
    [InlineData("set-missing", "does not exist: expected a folder written by 'edge dataset multifashion --robustness'")]
    [InlineData("index-missing", "has no robustness.json")]
    [InlineData("index-not-json", "not valid JSON")]
    [InlineData("index-wrong-format", "expected \"edge-robustness-set/1\"")]
    [InlineData("family-folder-missing", "robustness family 'tint': folder")]
    [InlineData("no-families", "lists no families: expected at least the clean family")]
    [InlineData("first-not-clean", "the first family is 'tint' of kind 'appearance': expected the clean family first")]
    [InlineData("family-without-images", "robustness family 'scale-small':")]
    public void Eval_BrokenRobustnessSet_ExitsInvalidDatasetInOneLine(string breakage, string mentions)
    {
        var path = set.Path;
        switch (breakage)
        {
            case "set-missing":
                path = Path.Combine(folder.FullName, "no-such-set");
                break;
            case "index-missing":
                File.Delete(set.IndexPath);
                break;
            case "index-not-json":
                File.WriteAllText(set.IndexPath, "{ \"format\": ");
                break;
            case "index-wrong-format":
                set.Index["format"] = "edge-robustness-set/0";
                set.WriteIndex();
                break;
            case "family-folder-missing":
                Directory.Delete(set.FolderOf("tint"), recursive: true);
                break;
            case "no-families":
                set.Families.Clear();
                set.WriteIndex();
                break;
            case "first-not-clean":
                set.Families.RemoveAt(0);
                set.WriteIndex();
                break;
            default:
                File.WriteAllText(Path.Combine(set.FolderOf("scale-small"), "labels.csv"), "image,labels\n");
                break;
        }

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--robustness", path);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidDataset, mentions);
        Assert.Empty(result.StandardOutput);
    }

    public void Dispose()
    {
        set.Dispose();
        bundle.Dispose();
        folder.Delete(recursive: true);
    }
}
