using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Edge.Cli.Commands;

namespace Edge.Cli.Tests.Commands;

/// <summary>
/// <c>edge eval --fit-rescoring</c> and <c>--no-rescoring</c> through the real app: the tiny fixture model on MultiFashion
/// scenes rendered by <c>edge dataset multifashion</c> (training scenes all follow the outfit prior, so the label graph
/// has edges).
/// </summary>
[Trait("Category", "App")]
public sealed partial class EvalRescoringTests : IClassFixture<EvalRescoringTests.Scenes>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly Scenes scenes;
    private readonly TestBundle bundle = TestBundle.Create();

    public EvalRescoringTests(Scenes scenes) => this.scenes = scenes;

    [Fact]
    public void FitRescoringWithWrite_StoresTheBlockAndEvalReproducesBothMaps()
    {
        var fit = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", scenes.Validation, "--fit-rescoring", scenes.TrainLabels, "--write");

        Assert.True(fit.ExitCode == 0, fit.StandardError);
        var chosen = ChosenLine().Match(fit.StandardOutput);
        Assert.True(chosen.Success, fit.StandardOutput);
        var (before, after) = (Number(chosen.Groups["before"].Value), Number(chosen.Groups["after"].Value));
        Assert.True(after >= before + 0.1, $"mAP {before} -> {after}");
        using var manifest = JsonDocument.Parse(File.ReadAllText(bundle.ManifestPath));
        var block = manifest.RootElement.GetProperty("rescoring");
        Assert.Equal("linear-logits", block.GetProperty("kind").GetString());
        Assert.Equal(Number(chosen.Groups["alpha"].Value), block.GetProperty("provenance").GetProperty("alpha").GetDouble());
        Assert.Equal(Path.GetFullPath(scenes.TrainLabels), block.GetProperty("provenance").GetProperty("train_labels").GetString());
        Assert.NotNull(bundle.Load().Rescoring);

        Assert.Equal(after, MeanAp("eval", "--model", bundle.Directory, "--data", scenes.Validation, "--json", "-"));
        Assert.Equal(before, MeanAp("eval", "--model", bundle.Directory, "--data", scenes.Validation, "--no-rescoring", "--json", "-"));
    }

    [Fact]
    public void FitRescoringAndTuneThresholdsWithWrite_ThresholdsAreTunedOnTheRescoredScores()
    {
        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", scenes.Validation, "--fit-rescoring", scenes.TrainLabels, "--tune-thresholds", "--write", "--json", "-");

        Assert.True(result.ExitCode == 0, result.StandardError);
        using var manifest = JsonDocument.Parse(File.ReadAllText(bundle.ManifestPath));
        Assert.True(manifest.RootElement.TryGetProperty("rescoring", out _));
        Assert.Contains("edge eval --tune-thresholds", manifest.RootElement.GetProperty("provenance").GetProperty("thresholds").GetString(), StringComparison.Ordinal);

        // Tuning again on the same data, now re-scored by the written block, finds the thresholds already written.
        var again = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", scenes.Validation, "--tune-thresholds", "--json", "-");
        using var metrics = JsonDocument.Parse(again.StandardOutput);
        Assert.All(metrics.RootElement.GetProperty("tuned_thresholds").EnumerateArray(), t => Assert.Equal(t.GetProperty("threshold").GetDouble(), t.GetProperty("tuned").GetDouble()));
    }

    [Fact]
    public void FitRescoringWithWrite_TrainingLabelsWithoutPairs_ChoosesNoneAndRemovesTheBundlesBlock()
    {
        using var rescored = TestBundle.Create(m => m["rescoring"] = TestBundle.RescoringBlock(0.05));
        var csv = Path.Combine(rescored.Directory, "singles.csv");
        File.WriteAllLines(csv, ["image,labels", "a.png,trouser", "b.png,bag", "c.png,dress", "d.png,"]);

        var result = EdgeProcess.Run(Timeout, "eval", "--model", rescored.Directory, "--data", scenes.Validation, "--fit-rescoring", csv, "--write");

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("the bundle's own rescoring block was left out", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("chosen: none", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("the rescoring block was removed", result.StandardError, StringComparison.Ordinal);
        Assert.Null(rescored.Load().Rescoring);
    }

    [Fact]
    public void FitRescoringWithoutWrite_PrintsTheSearchAndLeavesTheManifestAlone()
    {
        var original = File.ReadAllText(bundle.ManifestPath);

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", scenes.Validation, "--fit-rescoring", scenes.TrainLabels);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("re-scoring: ML-GCN label graph from 80 training label sets, tau 0.4, p 0.2", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("accompanying", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("implying", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllText(bundle.ManifestPath));
    }

    [Fact]
    public void Info_BundleWithRescoring_SaysSo()
    {
        using var rescored = TestBundle.Create(m => m["rescoring"] = TestBundle.RescoringBlock(0.05));

        var result = EdgeProcess.Run(Timeout, "info", "--model", rescored.Directory);
        var plain = EdgeProcess.Run(Timeout, "info", "--model", bundle.Directory);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("rescoring       linear-logits, 90 label links", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("rescoring       none", plain.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void FitRescoringWithNoRescoring_ExitsInvalidArguments()
    {
        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", scenes.Validation, "--fit-rescoring", scenes.TrainLabels, "--no-rescoring");

        Assert.Equal((int)ExitCode.InvalidArguments, result.ExitCode);
        Assert.Contains("--no-rescoring and --fit-rescoring exclude each other", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void FitRescoringOnAProbabilitiesModel_ExitsInvalidArgumentsInOneLine()
    {
        using var probabilities = TestBundle.Create(m => m["output"]!["kind"] = "probabilities");

        var result = EdgeProcess.Run(Timeout, "eval", "--model", probabilities.Directory, "--data", scenes.Validation, "--fit-rescoring", scenes.TrainLabels);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, "--fit-rescoring corrects logits");
    }

    [Fact]
    public void FitRescoringTrainLabelsWithAnUnknownLabel_ExitsInvalidDatasetNamingIt()
    {
        var csv = Path.Combine(bundle.Directory, "train.csv");
        File.WriteAllLines(csv, ["image,labels", "a.png,trouser;umbrella"]);

        var result = EdgeProcess.Run(Timeout, "eval", "--model", bundle.Directory, "--data", scenes.Validation, "--fit-rescoring", csv);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidDataset, "label 'umbrella' is not one of the model's labels");
    }

    [Fact]
    public void TuneThresholdsWriteWithNoRescoringOnABundleWithABlock_ExitsInvalidArgumentsAndWritesNothing()
    {
        using var rescored = TestBundle.Create(m => m["rescoring"] = TestBundle.RescoringBlock(0.05));
        var original = File.ReadAllText(rescored.ManifestPath);

        var result = EdgeProcess.Run(Timeout, "eval", "--model", rescored.Directory, "--data", scenes.Validation, "--tune-thresholds", "--write", "--no-rescoring");

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, "thresholds tuned without the rescoring block");
        Assert.Equal(original, File.ReadAllText(rescored.ManifestPath));
    }

    [Fact]
    public void NoRescoring_BundleWithABlock_GivesTheModelsOwnScores()
    {
        using var rescored = TestBundle.Create(m => m["rescoring"] = TestBundle.RescoringBlock(0.3));

        var applied = MeanAp("eval", "--model", rescored.Directory, "--data", scenes.Validation, "--json", "-");
        var own = MeanAp("eval", "--model", rescored.Directory, "--data", scenes.Validation, "--no-rescoring", "--json", "-");

        Assert.Equal(MeanAp("eval", "--model", bundle.Directory, "--data", scenes.Validation, "--json", "-"), own);
        Assert.NotEqual(own, applied);
    }

    public void Dispose() => bundle.Dispose();

    private static double MeanAp(params string[] arguments)
    {
        var result = EdgeProcess.Run(Timeout, arguments);
        Assert.True(result.ExitCode == 0, result.StandardError);
        using var metrics = JsonDocument.Parse(result.StandardOutput);
        return Math.Round(metrics.RootElement.GetProperty("mAP").GetDouble(), 2);
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"chosen: \w+ edges, alpha (?<alpha>-?[0-9.]+): validation mAP (?<before>[0-9.]+) -> (?<after>[0-9.]+)")]
    private static partial Regex ChosenLine();

    /// <summary>80 training scenes (outfit prior only) and 60 validation scenes, 64 × 64, rendered once for the class.</summary>
    public sealed class Scenes : IDisposable
    {
        private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("edge-rescoring-");

        public Scenes()
        {
            Render("train", "--split", "train", "--count", "80", "--seed", "11", "--outfit-share", "1");
            Render("val", "--split", "val", "--count", "60", "--seed", "12", "--outfit-share", "0.5");
        }

        public string TrainLabels => Path.Combine(folder.FullName, "train", "labels.csv");

        public string Validation => Path.Combine(folder.FullName, "val");

        public void Dispose() => folder.Delete(recursive: true);

        private void Render(string name, params string[] arguments)
        {
            var result = EdgeProcess.Run(Timeout, ["dataset", "multifashion", "--out", Path.Combine(folder.FullName, name), "--size", "64", .. arguments]);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"rendering {name} failed: {result.StandardError}");
            }
        }
    }
}
