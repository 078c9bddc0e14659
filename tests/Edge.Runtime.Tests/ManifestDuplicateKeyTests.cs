using Edge.Runtime.Bundles;

namespace Edge.Runtime.Tests;

/// <summary>A key given twice in one JSON object is an operator error (which one did they mean?), never "last wins".</summary>
public sealed class ManifestDuplicateKeyTests
{
    [Fact]
    public void Load_DuplicateTopLevelKey_ThrowsNamingKeyFileAndPath()
    {
        using var test = TestBundle.Create();
        var text = File.ReadAllText(test.ManifestPath);
        var first = text.IndexOf("\"name\":", StringComparison.Ordinal);
        test.WriteManifestText(text.Insert(first, "\"name\": \"first\", "));

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains(test.ManifestPath, exception.Message, StringComparison.Ordinal);
        Assert.Contains("'name'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("$.name", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DuplicateThresholdInLabel_ThrowsNamingTheLabelsPath()
    {
        using var test = TestBundle.Create();
        var text = File.ReadAllText(test.ManifestPath);
        var first = text.IndexOf("\"threshold\":", StringComparison.Ordinal);
        test.WriteManifestText(text.Insert(first, "\"threshold\": 0.9, "));

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("'threshold'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("$.labels[0].threshold", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DuplicateKeyInProvenance_Throws()
    {
        using var test = TestBundle.Create(m => m["provenance"] = new System.Text.Json.Nodes.JsonObject { ["data"] = "a" });
        var text = File.ReadAllText(test.ManifestPath);
        test.WriteManifestText(text.Replace("\"data\": \"a\"", "\"data\": \"a\", \"data\": \"b\"", StringComparison.Ordinal));

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("'data'", exception.Message, StringComparison.Ordinal);
    }
}
