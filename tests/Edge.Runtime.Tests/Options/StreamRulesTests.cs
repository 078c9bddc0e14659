using Edge.Runtime.Options;

namespace Edge.Runtime.Tests.Options;

/// <summary>PipelineOptions.Validate on streams, heads and the batch and stream limits: one key, one line each.</summary>
public sealed class StreamRulesTests
{
    private static readonly PipelineOptions Base = new() { Model = "models/m", Source = "synthetic", Device = "rover-7" };

    [Fact]
    public void Validate_FourStreamsTwoHeads_Passes()
    {
        var options = Base with
        {
            Streams = [Stream("front"), Stream("rear") with { BudgetMs = 80, Heads = ["scene"] }, Stream("left"), Stream("right")],
            Heads = [new HeadOptions { Name = "scene", Model = "models/scene", BudgetMs = 80 }],
            MaxBatch = 4,
        };

        options.Validate();
        options.ValidateHeadReferences("multifashion-resnet18");
    }

    [Fact]
    public void Validate_DuplicateStreamId_NamesBothPositions()
    {
        var options = Base with { Streams = [Stream("front"), Stream("rear"), Stream("front")] };

        var error = Assert.Throws<SettingException>(options.Validate);

        Assert.Equal("streams[2].id", error.Key);
        Assert.Equal("setting 'streams[2].id' is front: expected an id no other stream has (streams[0].id is front too)", error.Message);
    }

    [Theory]
    [InlineData("Front")]
    [InlineData("front door")]
    [InlineData("")]
    public void Validate_StreamIdOutsideTheAllowedSet_NamesTheStream(string id)
    {
        var options = Base with { Streams = [Stream("front"), Stream(id)] };

        var error = Assert.Throws<SettingException>(options.Validate);

        Assert.Equal("streams[1].id", error.Key);
        Assert.Contains("a-z, 0-9, '_' and '-'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MoreStreamsThanMaxStreams_NamesTheLimit()
    {
        var options = Base with { Streams = [Stream("a"), Stream("b"), Stream("c")], MaxStreams = 2 };

        var error = Assert.Throws<SettingException>(options.Validate);

        Assert.Equal("streams", error.Key);
        Assert.Equal("setting 'streams' is 3 streams: expected at most max_streams (2); raise max_streams to run more", error.Message);
    }

    [Fact]
    public void Validate_StreamsUpToMaxStreams_Pass()
    {
        var options = Base with { Streams = [Stream("a"), Stream("b")], MaxStreams = 2 };

        options.Validate();
    }

    public static TheoryData<string, PipelineOptions> OutOfRange => new()
    {
        { "max_batch", Base with { MaxBatch = -1 } },
        { "max_batch", Base with { MaxBatch = 257 } },
        { "max_streams", Base with { MaxStreams = 0 } },
        { "max_streams", Base with { MaxStreams = 257 } },
        { "streams[0].source", Base with { Streams = [Stream("a") with { Source = "" }] } },
        { "streams[1].budget_ms", Base with { Streams = [Stream("a"), Stream("b") with { BudgetMs = 0.5 }] } },
        { "streams[0].budget_ms", Base with { Streams = [Stream("a") with { BudgetMs = 60_001 }] } },
        { "streams[0].budget_ms", Base with { Streams = [Stream("a") with { BudgetMs = double.NaN }] } },
        { "streams[0].thresholds.hat.threshold", Base with { Streams = [Stream("a") with { Thresholds = Thresholds("hat", 1.5f) }] } },
        { "streams[0].thresholds.hat.threshold", Base with { Streams = [Stream("a") with { Thresholds = Thresholds("hat", -0.1f) }] } },
        { "streams[0].thresholds.hat.off_threshold", Base with { Streams = [Stream("a") with { Thresholds = Thresholds("hat", 0.5f, 0.7f) }] } },
        { "streams[0].thresholds.hat.off_threshold", Base with { Streams = [Stream("a") with { Thresholds = Thresholds("hat", 0.5f, -0.1f) }] } },
        { "streams[0].heads", Base with { Streams = [Stream("a") with { Heads = [] }] } },
        { "streams[0].heads[1]", Base with { Streams = [Stream("a") with { Heads = ["scene", "Scene"] }] } },
        { "streams[0].heads[1]", Base with { Streams = [Stream("a") with { Heads = ["scene", "scene"] }] } },
        { "heads[0].name", Base with { Heads = [Head("Scene")] } },
        { "heads[0].name", Base with { Heads = [Head("")] } },
        { "heads[0].model", Base with { Heads = [Head("scene") with { Model = " " }] } },
        { "heads[0].budget_ms", Base with { Heads = [Head("scene") with { BudgetMs = 0 }] } },
        { "heads[0].budget_ms", Base with { Heads = [Head("scene") with { BudgetMs = 101 }] } }, // the run's budget is 100
        { "heads[0].thresholds.hat.threshold", Base with { Heads = [Head("scene") with { Thresholds = Thresholds("hat", 2f) }] } },
        { "heads[0].thresholds.hat.off_threshold", Base with { Heads = [Head("scene") with { Thresholds = Thresholds("hat", 0.4f, 0.6f) }] } },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Validate_ValueOutOfRange_ThrowsNamingTheKey(string key, PipelineOptions options)
    {
        var error = Assert.Throws<SettingException>(options.Validate);

        Assert.Equal(key, error.Key);
        Assert.StartsWith($"setting '{key}' is ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Validate_DuplicateHeadName_NamesBothPositions()
    {
        var options = Base with { Heads = [Head("scene"), Head("color"), Head("scene")] };

        var error = Assert.Throws<SettingException>(options.Validate);

        Assert.Equal("setting 'heads[2].name' is scene: expected a name no other head has (heads[0].name is scene too)", error.Message);
    }

    [Fact]
    public void Validate_HeadBudgetAboveAStreamItServes_NamesTheStream()
    {
        var options = Base with
        {
            Streams = [Stream("front"), Stream("rear") with { BudgetMs = 50 }],
            Heads = [Head("scene") with { BudgetMs = 60 }],
        };

        var error = Assert.Throws<SettingException>(options.Validate);

        Assert.Equal("heads[0].budget_ms", error.Key);
        Assert.Contains("stream rear: 50 ms", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HeadBudgetAboveOnlyAStreamItDoesNotServe_Passes()
    {
        var options = Base with
        {
            Streams = [Stream("front") with { Heads = ["scene"] }, Stream("rear") with { BudgetMs = 50, Heads = ["multifashion"] }],
            Heads = [Head("scene") with { BudgetMs = 60 }],
        };

        options.Validate();
    }

    [Fact]
    public void Validate_ThresholdBounds_AreAccepted()
    {
        var options = Base with { Streams = [Stream("a") with { Thresholds = new Dictionary<string, ThresholdOverride> { ["hat"] = new() { Threshold = 0, OffThreshold = 0 }, ["bag"] = new() { Threshold = 1, OffThreshold = 1 } } }] };

        options.Validate();
    }

    [Fact]
    public void ValidateHeadReferences_StreamNamingAnUnknownHead_ListsTheHeads()
    {
        var options = Base with { Streams = [Stream("a"), Stream("b") with { Heads = ["scene", "colour"] }], Heads = [Head("scene")] };
        options.Validate();

        var error = Assert.Throws<SettingException>(() => options.ValidateHeadReferences("multifashion"));

        Assert.Equal("setting 'streams[1].heads[1]' is colour: expected one of the heads: multifashion, scene", error.Message);
    }

    [Fact]
    public void ValidateHeadReferences_HeadNamedLikeTheModelHead_IsRefused()
    {
        var options = Base with { Heads = [Head("multifashion")] };

        var error = Assert.Throws<SettingException>(() => options.ValidateHeadReferences("multifashion"));

        Assert.Equal("heads[0].name", error.Key);
    }

    [Fact]
    public void ValidateHeadReferences_StreamNamingTheModelHead_Passes()
    {
        var options = Base with { Streams = [Stream("a") with { Heads = ["multifashion"] }], Heads = [Head("scene")] };

        options.ValidateHeadReferences("multifashion");
    }

    private static StreamOptions Stream(string id) => new() { Id = id, Source = $"synthetic?seed={id.Length}" };

    private static HeadOptions Head(string name) => new() { Name = name, Model = $"models/{name}" };

    private static Dictionary<string, ThresholdOverride> Thresholds(string label, float on, float? off = null) =>
        new() { [label] = new ThresholdOverride { Threshold = on, OffThreshold = off } };
}
