using System.Text.Json;
using Edge.Tools.Evaluation;
using Edge.Tools.Evaluation.Robustness;
using static Edge.Tools.Tests.Evaluation.Robustness.SyntheticRobustness;

namespace Edge.Tools.Tests.Evaluation.Robustness;

/// <summary>The <c>edge-robustness-report/1</c> schema: names, types and the numbers in them.</summary>
public sealed class RobustnessJsonTests
{
    private static readonly string[] MetricKeys =
        ["mAP", "CP", "CR", "CF1", "OP", "OR", "OF1", "CP_top3", "CR_top3", "CF1_top3", "OP_top3", "OR_top3", "OF1_top3", "hamming_loss", "subset_accuracy", "example_f1"];

    [Fact]
    public void Write_Result_HasTheSchemaFieldsWithTheirTypes()
    {
        using var json = Write(Result(("clean", "clean", Perfect), ("tint", "appearance", Reversed), ("out-of-context", "context", Reversed)));
        var root = json.RootElement;

        Assert.Equal(["format", "model", "set", "families", "summary"], Names(root));
        Assert.Equal("edge-robustness-report/1", root.GetProperty("format").GetString());
        Assert.Equal(["name", "sha256", "precision"], Names(root.GetProperty("model")));
        Assert.All(root.GetProperty("model").EnumerateObject(), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));
        var set = root.GetProperty("set");
        Assert.Equal(["path", "split", "seed", "count", "size"], Names(set));
        Assert.Equal(("/sets/synthetic", "val", 7UL, 2, 32), (set.GetProperty("path").GetString(), set.GetProperty("split").GetString(), set.GetProperty("seed").GetUInt64(), set.GetProperty("count").GetInt32(), set.GetProperty("size").GetInt32()));

        var families = root.GetProperty("families").EnumerateArray().ToArray();
        Assert.Equal(["clean", "tint", "out-of-context"], families.Select(f => f.GetProperty("name").GetString()));
        foreach (var family in families)
        {
            Assert.Equal(["name", "folder", "kind", "description", "parameters", .. MetricKeys, "images", "skipped_labels", "per_label", "gap"], Names(family));
            Assert.All(["name", "folder", "kind", "description"], key => Assert.Equal(JsonValueKind.String, family.GetProperty(key).ValueKind));
            Assert.Equal(JsonValueKind.Object, family.GetProperty("parameters").ValueKind);
            Assert.All(MetricKeys, key => Assert.Equal(JsonValueKind.Number, family.GetProperty(key).ValueKind));
            Assert.Equal(2, family.GetProperty("images").GetInt32());
            Assert.Equal(JsonValueKind.Array, family.GetProperty("skipped_labels").ValueKind);
            var perLabel = family.GetProperty("per_label").EnumerateArray().ToArray();
            Assert.Equal(Labels, perLabel.Select(l => l.GetProperty("label").GetString()));
            Assert.All(perLabel, l => Assert.Equal(["label", "ap", "precision", "recall", "f1", "support"], Names(l)));
            Assert.All(perLabel, l => Assert.All(["ap", "precision", "recall", "f1", "support"], key => Assert.Equal(JsonValueKind.Number, l.GetProperty(key).ValueKind)));
            Assert.Equal(["mAP", "OF1", "OR"], Names(family.GetProperty("gap")));
            Assert.All(family.GetProperty("gap").EnumerateObject(), p => Assert.Equal(JsonValueKind.Number, p.Value.ValueKind));
        }

        var summary = root.GetProperty("summary");
        Assert.Equal(["clean_mAP", "clean_OF1", "clean_OR", "shifted_families", "shifted_mean_mAP", "shifted_mean_OF1", "shifted_mean_OR", "shifted_gap", "worst_family"], Names(summary));
        Assert.Equal(["name", "kind", "mAP", "gap_mAP"], Names(summary.GetProperty("worst_family")));
    }

    [Fact]
    public void Write_Result_NumbersAreTheMetricsGapsAndSummary()
    {
        using var json = Write(Result(("clean", "clean", Perfect), ("tint", "appearance", Reversed), ("out-of-context", "context", Reversed)));
        var root = json.RootElement;

        var tint = root.GetProperty("families")[1];
        Assert.Equal((50.0, 0.0, 0.0), (tint.GetProperty("mAP").GetDouble(), tint.GetProperty("OF1").GetDouble(), tint.GetProperty("OR").GetDouble()));
        Assert.Equal((50.0, 100.0, 100.0), (tint.GetProperty("gap").GetProperty("mAP").GetDouble(), tint.GetProperty("gap").GetProperty("OF1").GetDouble(), tint.GetProperty("gap").GetProperty("OR").GetDouble()));
        Assert.Equal(0.0, root.GetProperty("families")[0].GetProperty("gap").GetProperty("mAP").GetDouble());
        var summary = root.GetProperty("summary");
        Assert.Equal(100.0, summary.GetProperty("clean_mAP").GetDouble());
        Assert.Equal(1, summary.GetProperty("shifted_families").GetInt32());
        Assert.Equal(50.0, summary.GetProperty("shifted_mean_mAP").GetDouble());
        Assert.Equal(50.0, summary.GetProperty("shifted_gap").GetProperty("mAP").GetDouble());
        Assert.Equal("tint", summary.GetProperty("worst_family").GetProperty("name").GetString());
        Assert.Equal(50.0, summary.GetProperty("worst_family").GetProperty("gap_mAP").GetDouble());
    }

    [Fact]
    public void Write_UndefinedValues_AreNull()
    {
        using var json = Write(Result(("clean", "clean", Perfect), ("noise", "appearance", NoPositives)));
        var root = json.RootElement;

        Assert.Equal(JsonValueKind.Null, root.GetProperty("families")[1].GetProperty("mAP").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("families")[1].GetProperty("gap").GetProperty("mAP").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("summary").GetProperty("shifted_mean_mAP").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("summary").GetProperty("worst_family").ValueKind);
    }

    [Fact]
    public void Write_Tuned_AddsTunedThresholds()
    {
        var result = Result(("clean", "clean", Perfect), ("tint", "appearance", Reversed));
        var tuned = ThresholdTuner.Tune(result.PooledScores(), [0.5, 0.5]);

        using var json = Write(result, tuned);

        var entries = json.RootElement.GetProperty("tuned_thresholds").EnumerateArray().ToArray();
        Assert.Equal(Labels, entries.Select(e => e.GetProperty("label").GetString()));
        Assert.All(entries, e => Assert.Equal(2, e.GetProperty("positives").GetInt32()));
    }

    private static JsonDocument Write(RobustnessResult result, IReadOnlyList<TunedThreshold>? tuned = null)
    {
        using var stream = new MemoryStream();
        RobustnessJson.Write(stream, result, TestBundle.InMemory(), tuned);
        return JsonDocument.Parse(stream.ToArray());
    }

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
