using System.CommandLine;
using Edge.Cli.Commands;
using Edge.Cli.Configuration;
using Edge.Runtime.Budget;
using Edge.Runtime.Options;

namespace Edge.Cli.Tests.Configuration;

/// <summary>The streams and heads of a multi-camera run, from the config file, the environment and the flags.</summary>
public sealed class StreamSettingsTests : IDisposable
{
    private const string FourStreams = """
        {
          "streams": [
            { "id": "front", "source": "synthetic?seed=1" },
            { "id": "rear", "source": "synthetic?seed=2", "budget_ms": 80, "miss_policy": "drop", "output": "rear.jsonl" },
            { "id": "left", "source": "synthetic?seed=3", "thresholds": { "hat": { "threshold": 0.7, "off_threshold": 0.5 } }, "heads": ["scene"] },
            { "id": "right", "source": "synthetic?seed=4", "required": false, "output": "rear.jsonl" }
          ],
          "heads": [ { "name": "scene", "model": "models/scene", "budget_ms": 60, "thresholds": { "bag": { "threshold": 0.4 } } } ],
          "max_batch": 4,
          "max_streams": 8
        }
        """;

    private readonly TestBundle folder = TestBundle.CreateEmpty();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void FromFile_StreamsHeadsAndLimits_ReachTheResolvedSettings()
    {
        var settings = File(FourStreams).Resolve();

        Assert.Equal(["front", "rear", "left", "right"], settings.Streams.Select(stream => stream.Id));
        Assert.Equal(["synthetic?seed=1", "synthetic?seed=2", "synthetic?seed=3", "synthetic?seed=4"], settings.Streams.Select(stream => stream.Source));
        Assert.Same(settings.Streams, settings.EffectiveStreams());
        var rear = settings.Streams[1];
        Assert.Equal(80, rear.BudgetMs);
        Assert.Equal(MissPolicy.Drop, rear.MissPolicy);
        Assert.Null(settings.Streams[0].BudgetMs);
        Assert.Null(settings.Streams[0].MissPolicy);
        Assert.Null(settings.Streams[0].Heads);
        var left = settings.Streams[2];
        Assert.Equal(new ThresholdOverride { Threshold = 0.7f, OffThreshold = 0.5f }, left.Thresholds!["hat"]);
        Assert.Equal(["scene"], left.Heads!);
        Assert.True(left.Required);
        Assert.False(settings.Streams[3].Required);
        var head = Assert.Single(settings.Heads);
        Assert.Equal(("scene", "models/scene", 60.0), (head.Name, head.Model, head.BudgetMs));
        Assert.Equal(new ThresholdOverride { Threshold = 0.4f }, head.Thresholds!["bag"]);
        Assert.Equal(4, settings.MaxBatch);
        Assert.Equal(8, settings.MaxStreams);
        Assert.Equal([new StreamOutput("streams[1].output", "rear", "rear.jsonl"), new StreamOutput("streams[3].output", "right", "rear.jsonl")], settings.StreamOutputs);
        Assert.Equal(("front", "synthetic?seed=1"), (settings.Stream, settings.Source)); // single-stream code reads the first stream
    }

    [Fact]
    public void Resolve_NoStreams_IsOneStreamFromSourceWithDefaultLimits()
    {
        var settings = new RunSettings { Source = "v4l2:1", Stream = "dock" }.Resolve();

        Assert.Empty(settings.Streams);
        Assert.Empty(settings.Heads);
        Assert.Empty(settings.StreamOutputs);
        Assert.Equal(0, settings.MaxBatch);
        Assert.Equal(16, settings.MaxStreams);
        var only = Assert.Single(settings.EffectiveStreams());
        Assert.Equal(("dock", "v4l2:1"), (only.Id, only.Source));
    }

    [Fact]
    public void Flags_SeveralSources_MakeStreamsCam0Cam1InOrder_ReplacingTheFilesList()
    {
        var flags = Flags("--source", "v4l2:0", "--source", "rtsp://cam/2");

        var settings = File(FourStreams).OverriddenBy(flags).Resolve();

        Assert.Equal([("cam0", "v4l2:0"), ("cam1", "rtsp://cam/2")], settings.Streams.Select(stream => (stream.Id, stream.Source)));
        Assert.Empty(settings.StreamOutputs);
        Assert.Single(settings.Heads); // only where frames come from is replaced
    }

    [Fact]
    public void Flags_AsManyStreamsAsSources_NameThemInOrder()
    {
        var settings = Flags("--source", "v4l2:0", "--stream", "front", "--source", "v4l2:1", "--stream", "rear").Resolve();

        Assert.Equal([("front", "v4l2:0"), ("rear", "v4l2:1")], settings.Streams.Select(stream => (stream.Id, stream.Source)));
    }

    [Theory]
    [InlineData(new[] { "--source", "a", "--source", "b", "--stream", "front" }, "--stream given 1 times for 2 --source flags")]
    [InlineData(new[] { "--source", "a", "--stream", "front", "--stream", "rear" }, "--stream given 2 times for 1 --source flags")]
    [InlineData(new[] { "--stream", "front", "--stream", "rear" }, "--stream given 2 times for 0 --source flags")]
    public void Flags_StreamCountDiffersFromSourceCount_ThrowOneLine(string[] arguments, string mentions)
    {
        var error = Assert.Throws<UserError>(() => Flags(arguments));

        Assert.Equal(ExitCode.InvalidArguments, error.ExitCode);
        Assert.StartsWith(mentions, error.Message, StringComparison.Ordinal);
        Assert.Contains("expected one --stream per --source", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Flags_OneSourceAndStream_AreTheSingleStreamAsBefore()
    {
        var layer = Flags("--source", "v4l2:0", "--stream", "dock");

        Assert.Equal(("v4l2:0", "dock"), (layer.Source, layer.Stream));
        Assert.Null(layer.Streams);
    }

    [Fact]
    public void Flags_OneSource_ReplacesTheFilesStreams()
    {
        var settings = File(FourStreams).OverriddenBy(Flags("--source", "v4l2:0")).Resolve();

        Assert.Empty(settings.Streams);
        Assert.Equal(("cam0", "v4l2:0"), (settings.Stream, settings.Source));
    }

    [Fact]
    public void Environment_Source_ReplacesTheFilesStreams_AndLimitsAreRead()
    {
        var environment = new Dictionary<string, string> { ["EDGE_SOURCE"] = "v4l2:2", ["EDGE_MAX_BATCH"] = "2", ["EDGE_MAX_STREAMS"] = "4" };

        var settings = File(FourStreams).OverriddenBy(RunSettings.FromEnvironment(environment.GetValueOrDefault)).Resolve();

        Assert.Empty(settings.Streams);
        Assert.Equal("v4l2:2", settings.Source);
        Assert.Equal((2, 4), (settings.MaxBatch, settings.MaxStreams));
    }

    [Fact]
    public void FileStreams_ReplaceAnEarlierLayersSourceAndStream()
    {
        var earlier = new RunSettings { Source = "v4l2:0", Stream = "dock" };

        var settings = earlier.OverriddenBy(File(FourStreams)).Resolve();

        Assert.Equal(4, settings.Streams.Count);
    }

    [Fact]
    public void Environment_StreamsAndHeads_AreFileOnly()
    {
        Assert.DoesNotContain("EDGE_STREAMS", RunSettings.EnvironmentVariables);
        Assert.DoesNotContain("EDGE_HEADS", RunSettings.EnvironmentVariables);
        Assert.Contains("EDGE_MAX_BATCH", RunSettings.EnvironmentVariables);
        Assert.Contains("EDGE_MAX_STREAMS", RunSettings.EnvironmentVariables);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { """{"streams": []}""", "setting 'streams' is empty: expected at least one stream" },
        { """{"source": "v4l2:0", "streams": [{"id": "a", "source": "x"}]}""", "setting 'source' is set: expected no source next to streams" },
        { """{"stream": "dock", "streams": [{"id": "a", "source": "x"}]}""", "setting 'stream' is dock: expected no stream id next to streams" },
        { """{"streams": [{"source": "x"}]}""", "setting 'streams[0].id' is missing: expected 1 to 64 characters of a-z" },
        { """{"streams": [{"id": "a", "source": "x"}, {"id": "b"}]}""", "setting 'streams[1].source' is missing" },
        { """{"streams": [{"id": "a", "source": "x", "miss_policy": "sometimes"}]}""", "setting 'streams[0].miss_policy' is sometimes: expected drop, flag or degrade" },
        { """{"streams": [{"id": "a", "source": "x", "output": " "}]}""", "setting 'streams[0].output' is empty" },
        { """{"streams": [{"id": "a", "source": "x"}, {"id": "a", "source": "y"}]}""", "setting 'streams[1].id' is a: expected an id no other stream has (streams[0].id is a too)" },
        { """{"streams": [{"id": "Front", "source": "x"}]}""", "setting 'streams[0].id' is Front: expected 1 to 64 characters of a-z, 0-9, '_' and '-'" },
        { """{"max_streams": 1, "streams": [{"id": "a", "source": "x"}, {"id": "b", "source": "y"}]}""", "setting 'streams' is 2 streams: expected at most max_streams (1)" },
        { """{"streams": [{"id": "a", "source": "x", "budget_ms": 0}]}""", "setting 'streams[0].budget_ms' is 0" },
        { """{"streams": [{"id": "a", "source": "x", "thresholds": {"hat": {"threshold": 0.5, "off_threshold": 0.6}}}]}""", "setting 'streams[0].thresholds.hat.off_threshold' is 0.6" },
        { """{"heads": [{"model": "m"}]}""", "setting 'heads[0].name' is missing" },
        { """{"heads": [{"name": "scene"}]}""", "setting 'heads[0].model' is missing" },
        { """{"heads": [{"name": "scene", "model": "m"}, {"name": "scene", "model": "n"}]}""", "setting 'heads[1].name' is scene: expected a name no other head has (heads[0].name is scene too)" },
        { """{"budget_ms": 50, "heads": [{"name": "scene", "model": "m", "budget_ms": 70}]}""", "setting 'heads[0].budget_ms' is 70" },
        { """{"max_batch": 300}""", "setting 'max_batch' is 300: expected 0 (the bundle's maximum batch) to 256" },
        { """{"max_streams": 0}""", "setting 'max_streams' is 0: expected 1 to 256" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Resolve_BadStreamsOrHeads_ThrowsOneLineNamingTheKey(string json, string message)
    {
        var error = Assert.Throws<SettingException>(File(json).Resolve);

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("""{"streams": [{"id": "a", "source": "x", "budget": 3}]}""", "budget")]
    [InlineData("""{"heads": [{"name": "a", "model": "m", "labels": 3}]}""", "labels")]
    [InlineData("""{"streams": [{"id": "a", "source": "x", "thresholds": {"hat": {"off_threshold": 0.2}}}]}""", "threshold")]
    public void FromFile_UnknownOrMissingKeyInAnEntry_ThrowsInvalidArgumentsNamingIt(string json, string mentions)
    {
        var error = Assert.Throws<UserError>(() => File(json));

        Assert.Equal(ExitCode.InvalidArguments, error.ExitCode);
        Assert.Contains(mentions, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("four-cameras.json")]
    [InlineData("four-synthetic.json")]
    public void ExampleConfig_FourCameras_ParsesAndValidates(string name)
    {
        var settings = RunSettings.FromFile(Path.Combine(Repository.Root(), "docs", "examples", name)).Resolve();

        Assert.Equal(4, settings.Streams.Count);
        Assert.Equal(4, settings.Streams.Select(stream => stream.Id).Distinct().Count());
        settings.ValidateHeadReferences("multifashion-resnet18");
    }

    private RunSettings File(string json) => RunSettings.FromFile(folder.WriteFile("edge.json", System.Text.Encoding.UTF8.GetBytes(json)));

    private static RunSettings Flags(params string[] arguments)
    {
        var sourceFlags = new SourceFlags();
        var command = new Command("run");
        foreach (var option in sourceFlags.Options)
        {
            command.Options.Add(option);
        }

        var parse = command.Parse(arguments);
        Assert.Empty(parse.Errors);
        var layer = new RunSettings();
        sourceFlags.Read(parse, layer);
        return layer;
    }
}
