using System.Text.Json.Nodes;
using Edge.Tools.Evaluation;
using Edge.Tools.Evaluation.Rescoring;

namespace Edge.Tools.Tests.Evaluation.Rescoring;

/// <summary>Writing a fitted block into a real bundle's manifest and loading it back.</summary>
public sealed class ManifestRescoringWriterTests : IDisposable
{
    private const int Labels = 10;
    private static readonly RescoringSources Sources = new("/data/train/labels.csv", 40000, "/data/val/labels.csv", 4000, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private readonly TestBundle test = TestBundle.Create();

    [Fact]
    public void Write_Fit_LoadsBackAsTheSameFloatsAndKeepsEveryOtherField()
    {
        var before = JsonNode.Parse(File.ReadAllText(test.ManifestPath))!.AsObject();
        var fit = Fit();

        ManifestRescoringWriter.Write(test.Load(), fit, Sources);

        var rescoring = test.Load().Rescoring!;
        for (var row = 0; row < Labels; row++)
        {
            Assert.Equal(fit.Matrix.Skip(row * Labels).Take(Labels).Select(value => (float)value), rescoring.Row(row).ToArray());
        }

        Assert.Equal(fit.Bias.Select(value => (float)value), rescoring.Bias.ToArray());
        var after = JsonNode.Parse(File.ReadAllText(test.ManifestPath))!.AsObject();
        var provenance = after["rescoring"]!["provenance"]!;
        Assert.Equal("ml-gcn", provenance["graph"]!.GetValue<string>());
        Assert.Equal(fit.Alpha, provenance["alpha"]!.GetValue<double>());
        Assert.Equal("/data/train/labels.csv", provenance["train_labels"]!.GetValue<string>());
        Assert.Equal(4000, provenance["validation_images"]!.GetValue<int>());
        after.Remove("rescoring");
        Assert.True(JsonNode.DeepEquals(before, after), "fields other than rescoring changed");
        Assert.False(File.Exists(test.ManifestPath + ".tmp"));
    }

    [Fact]
    public void Write_Twice_ReplacesTheBlock()
    {
        ManifestRescoringWriter.Write(test.Load(), Fit(alpha: 1), Sources);

        ManifestRescoringWriter.Write(test.Load(), Fit(alpha: 2), Sources);

        Assert.Equal(2 * 0.2 / 9, test.Load().Rescoring!.Row(0)[1], 1e-6f);
    }

    [Fact]
    public void Remove_BlockPresent_RemovesItOnly()
    {
        var original = File.ReadAllText(test.ManifestPath);
        ManifestRescoringWriter.Write(test.Load(), Fit(), Sources);

        Assert.True(ManifestRescoringWriter.Remove(test.Load()));

        Assert.Null(test.Load().Rescoring);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(original), JsonNode.Parse(File.ReadAllText(test.ManifestPath))));
        Assert.False(ManifestRescoringWriter.Remove(test.Load()));
    }

    [Fact]
    public void Write_OnAProbabilitiesModel_RefusedAndTheManifestUntouched()
    {
        using var probabilities = TestBundle.Create(m => m["output"]!["kind"] = "probabilities");
        var original = File.ReadAllText(probabilities.ManifestPath);

        var exception = Assert.Throws<Edge.Runtime.Bundles.ModelBundleException>(() => ManifestRescoringWriter.Write(probabilities.Load(), Fit(), Sources));

        Assert.Contains("manifest field 'rescoring'", exception.Message, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllText(probabilities.ManifestPath));
        Assert.False(File.Exists(probabilities.ManifestPath + ".tmp"));
    }

    public void Dispose() => test.Dispose();

    /// <summary>A fit over the fixture's 10 labels whose graph links every pair (each label appears with every other).</summary>
    private static RescoringFit Fit(double alpha = 0.5)
    {
        var everything = Enumerable.Range(0, Labels).ToArray();
        var graph = LabelGraph.Build(LabelCooccurrence.Count(TestBundle.LabelNames, [everything]), LabelGraphEdges.Accompanying);
        var matrix = graph.Correction(alpha).Select(value => Math.Round(value, RescoringFitter.Decimals)).ToArray();
        double[] bias = [.. Enumerable.Range(0, Labels).Select(label => (label - 4.5) / 10)];
        var rank = Enumerable.Range(0, 2 * Labels).Select(cell => cell < Labels ? 1.0 : -1.0).ToArray();
        var scores = new ScoreMatrix(TestBundle.LabelNames, rank, [.. rank.Select(logit => 1 / (1 + Math.Exp(-logit)))], [.. rank.Select(logit => logit > 0)], new bool[rank.Length]);
        var metrics = MultiLabelMetrics.Compute(scores, [.. Enumerable.Repeat(0.5, Labels)]);
        return new RescoringFit(graph, alpha, matrix, bias, metrics, metrics, scores, []);
    }
}
