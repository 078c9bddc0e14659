using System.Text.Json.Nodes;
using Edge.Runtime.Bundles;

namespace Edge.Runtime.Tests;

/// <summary>The manifest's <c>batch</c> object: what it loads as, and each way it can be wrong.</summary>
public sealed class BatchAxisTests
{
    [Fact]
    public void Load_BatchAbsent_IsFixedAtOne()
    {
        using var test = TestBundle.Create();

        Assert.Equal(new BatchAxis(false, 1), test.Load().Batch);
    }

    [Fact]
    public void Load_DynamicBatch_ReadsTheMaximum()
    {
        using var test = TestBundle.CreateBatched(maxBatch: 8);

        Assert.Equal(new BatchAxis(true, 8), test.Load().Batch);
    }

    [Theory]
    [InlineData("""{ "dynamic": false, "max": 1 }""")]
    [InlineData("""{ "dynamic": false }""")]
    public void FromManifest_FixedBatch_IsFixedAtOne(string batch)
    {
        var bundle = TestBundle.InMemory(m => m["batch"] = JsonNode.Parse(batch));

        Assert.Equal(BatchAxis.Fixed, bundle.Batch);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(BatchAxis.LargestMax)]
    public void FromManifest_DynamicMaxAtTheLimits_IsAccepted(int max)
    {
        var bundle = TestBundle.InMemory(m => m["batch"] = TestBundle.Batch(dynamic: true, max));

        Assert.Equal(new BatchAxis(true, max), bundle.Batch);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(257)]
    public void FromManifest_DynamicMaxOutOfRange_ThrowsNamingBatchMax(int max)
    {
        var error = Assert.Throws<ModelBundleException>(() => TestBundle.InMemory(m => m["batch"] = TestBundle.Batch(dynamic: true, max)));

        Assert.Equal($"manifest field 'batch.max' is {max}, expected 1..256 (the largest batch the runtime may form)", error.Message);
    }

    [Fact]
    public void FromManifest_DynamicWithoutMax_ThrowsNamingBatchMax()
    {
        var error = Assert.Throws<ModelBundleException>(() => TestBundle.InMemory(m => m["batch"] = new JsonObject { ["dynamic"] = true }));

        Assert.Equal("manifest field 'batch.max' is missing: expected the largest batch the runtime may form, 1..256", error.Message);
    }

    [Fact]
    public void FromManifest_FixedWithMaxAboveOne_ThrowsNamingBatchMax()
    {
        var error = Assert.Throws<ModelBundleException>(() => TestBundle.InMemory(m => m["batch"] = TestBundle.Batch(dynamic: false, 4)));

        Assert.StartsWith("manifest field 'batch.max' is 4 but batch.dynamic is false: expected 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromManifest_DynamicMissing_ThrowsNamingBatchDynamic()
    {
        var error = Assert.Throws<ModelBundleException>(() => TestBundle.InMemory(m => m["batch"] = new JsonObject { ["max"] = 8 }));

        Assert.StartsWith("manifest field 'batch.dynamic' is missing: expected true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownKeyInBatch_ThrowsNamingIt()
    {
        using var test = TestBundle.Create(m => m["batch"] = new JsonObject { ["dynamic"] = true, ["max"] = 8, ["size"] = 8 });

        var error = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("'size'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MaxAsText_ThrowsNotAValidManifest()
    {
        using var test = TestBundle.Create(m => m["batch"] = new JsonObject { ["dynamic"] = true, ["max"] = "8" });

        var error = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("is not a valid manifest", error.Message, StringComparison.Ordinal);
        Assert.Contains("batch.max", error.Message, StringComparison.Ordinal);
    }
}
