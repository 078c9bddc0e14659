using System.Text.Json.Nodes;
using Edge.Cli.Configuration;
using Edge.Runtime.Budget;
using Edge.Runtime.Control;
using Edge.Runtime.Options;

namespace Edge.Cli.Tests.Configuration;

/// <summary>Control changes written back into the run's config file (<see cref="ConfigWriteBack"/>).</summary>
public sealed class ConfigWriteBackTests : IDisposable
{
    private const string TwoStreams = """
        {
          "model": "models/tagger",
          "device": "rover",
          "streams": [
            { "id": "front", "source": "rtsp://cam1/stream", "output": "front.jsonl", "thresholds": { "bag": { "threshold": 0.4 } } },
            { "id": "rear", "source": "v4l2:1", "required": false }
          ],
          "mqtt": { "uri": "mqtt://broker", "prefix": "edge", "labels": "change" },
          "max_streams": 4,
          "budget_ms": 120
        }
        """;

    private const string OneStream = """
        {
          "source": "v4l2:0",
          "stream": "gate",
          "budget_ms": 100,
          "gpio": { "chip": "gpiochip0" }
        }
        """;

    private readonly TestBundle folder = TestBundle.CreateEmpty();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void SetBudget_StreamsList_OnlyThatEntryChangesAndEveryOtherKeyStaysInItsPlace()
    {
        var path = Write(TwoStreams);
        var writeBack = ConfigWriteBack.Open(path);

        writeBack.SetBudget("rear", 80, MissPolicy.Drop);

        var before = JsonNode.Parse(TwoStreams)!.AsObject();
        var after = Read(path);
        Assert.Equal(before.Select(pair => pair.Key), after.Select(pair => pair.Key));
        Assert.True(JsonNode.DeepEquals(before["streams"]![0], after["streams"]![0]));
        Assert.Equal("""{"id":"rear","source":"v4l2:1","required":false,"budget_ms":80,"miss_policy":"drop"}""", after["streams"]![1]!.ToJsonString());
        foreach (var key in new[] { "model", "device", "mqtt", "max_streams", "budget_ms" })
        {
            Assert.True(JsonNode.DeepEquals(before[key], after[key]), key);
        }
    }

    [Fact]
    public void SetThresholds_MergedIntoTheStreamsThresholds_AndTheFileStillLoads()
    {
        var path = Write(TwoStreams);
        var writeBack = ConfigWriteBack.Open(path);

        writeBack.SetThresholds("front", new Dictionary<string, ThresholdOverride> { ["hat"] = new() { Threshold = 0.7f, OffThreshold = 0.5f }, ["bag"] = new() { Threshold = 0.6f } });

        Assert.Equal("""{"bag":{"threshold":0.6},"hat":{"threshold":0.7,"off_threshold":0.5}}""", Read(path)["streams"]![0]!["thresholds"]!.ToJsonString());
        var front = RunSettings.FromFile(path).Resolve().Streams[0];
        Assert.Equal((0.7f, 0.5f), (front.Thresholds!["hat"].Threshold, front.Thresholds["hat"].OffThreshold!.Value));
    }

    [Fact]
    public void SetBudget_SingleStreamFile_TopLevelKeys()
    {
        var path = Write(OneStream);
        var writeBack = ConfigWriteBack.Open(path);

        writeBack.SetBudget("gate", null, MissPolicy.Flag);
        writeBack.SetBudget("gate", 250, null);

        Assert.Equal("""{"source":"v4l2:0","stream":"gate","budget_ms":250,"gpio":{"chip":"gpiochip0"},"miss_policy":"flag"}""", Read(path).ToJsonString());
    }

    [Fact]
    public void AddAndRemoveStream_StreamsList_AppendedAndRemovedInOrder()
    {
        var path = Write(TwoStreams);
        var writeBack = ConfigWriteBack.Open(path);

        writeBack.AddStream(new StreamOptions { Id = "door", Source = "rtsp://door/live", BudgetMs = 90, Heads = ["tagger"], Required = false, Thresholds = new Dictionary<string, ThresholdOverride> { ["bag"] = new() { Threshold = 0.3f } } });
        writeBack.RemoveStream("front");

        var streams = Read(path)["streams"]!.AsArray();
        Assert.Equal(["rear", "door"], streams.Select(entry => entry!["id"]!.GetValue<string>()));
        Assert.Equal("""{"id":"door","source":"rtsp://door/live","budget_ms":90,"thresholds":{"bag":{"threshold":0.3}},"heads":["tagger"],"required":false}""", streams[1]!.ToJsonString());
        Assert.Equal(["rear", "door"], RunSettings.FromFile(path).Resolve().Streams.Select(stream => stream.Id));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Write_ReplacedByRenameNotOverwrittenInPlace_NoTemporaryFileLeftAndTheModeKept()
    {
        var path = Write(TwoStreams);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var writeBack = ConfigWriteBack.Open(path);
        using var old = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

        writeBack.SetBudget("front", 55, null);

        // The handle opened before still reads the old file: the new text went to another file renamed over it.
        Assert.Equal(TwoStreams, new StreamReader(old).ReadToEnd());
        Assert.Equal(55, Read(path)["streams"]![0]!["budget_ms"]!.GetValue<double>());
        Assert.Equal([path], Directory.GetFiles(folder.Directory, "*", SearchOption.TopDirectoryOnly));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.EndsWith("}\n", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_FileEditedOnDiskSinceTheRunReadIt_RefusedAndTheEditKept()
    {
        var path = Write(TwoStreams);
        var writeBack = ConfigWriteBack.Open(path);
        var edited = TwoStreams.Replace("\"budget_ms\": 120", "\"budget_ms\": 150", StringComparison.Ordinal);
        File.WriteAllText(path, edited);

        var refusal = Assert.Throws<ControlException>(() => writeBack.SetBudget("front", 55, null));

        Assert.Equal(ControlErrorKind.Conflict, refusal.Kind);
        Assert.Equal($"config file '{path}' changed on disk since the run read it: expected it as the run read it (restart the run to take the edit), so the change was not written over it", refusal.Message);
        Assert.Equal(edited, File.ReadAllText(path));
    }

    [Fact]
    public void Write_SecondChange_BuildsOnTheFirst()
    {
        var path = Write(TwoStreams);
        var writeBack = ConfigWriteBack.Open(path);

        writeBack.SetBudget("front", 55, null);
        writeBack.SetBudget("rear", 66, null);

        var streams = Read(path)["streams"]!;
        Assert.Equal((55.0, 66.0), (streams[0]!["budget_ms"]!.GetValue<double>(), streams[1]!["budget_ms"]!.GetValue<double>()));
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "comments", "has comments, which writing it back would lose: expected a file without comments to write changes to" },
        { "unknown-stream", "has no stream 'side' in its streams list (the run got it from a flag, the environment or the control API): expected a stream the file configures" },
        { "single-thresholds", "configures its one stream with top-level keys, which have no thresholds: expected a streams list to write thresholds to" },
        { "single-other-stream", "configures stream 'gate', not 'cam0' (the run got it from a flag or the environment): expected a stream the file configures" },
        { "single-add", "configures its one stream with top-level keys: expected a streams list to add stream 'door' to" },
        { "remove-last", "would be left with an empty streams list without stream 'only': expected at least one stream to stay" },
        { "not-an-object", "does not hold a JSON object: expected the settings object the run started from" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Write_FileThatCannotTakeTheChange_RefusedAndLeftAsItWas(string defect, string expected)
    {
        var (text, change) = defect switch
        {
            "comments" => ("{\n  // the gate camera\n  \"source\": \"v4l2:0\"\n}\n", (Action<ConfigWriteBack>)(w => w.SetBudget("cam0", 50, null))),
            "unknown-stream" => (TwoStreams, w => w.SetBudget("side", 50, null)),
            "single-thresholds" => (OneStream, w => w.SetThresholds("gate", new Dictionary<string, ThresholdOverride> { ["bag"] = new() { Threshold = 0.5f } })),
            "single-other-stream" => (OneStream, w => w.SetBudget("cam0", 50, null)),
            "single-add" => (OneStream, w => w.AddStream(new StreamOptions { Id = "door", Source = "v4l2:1" })),
            "remove-last" => ("""{ "streams": [ { "id": "only", "source": "v4l2:0" } ] }""", w => w.RemoveStream("only")),
            _ => ("[1, 2]", w => w.SetBudget("cam0", 50, null)),
        };
        var path = Write(text);
        var writeBack = ConfigWriteBack.Open(path);

        var refusal = Assert.Throws<ControlException>(() => change(writeBack));

        Assert.Equal((ControlErrorKind.Conflict, $"config file '{path}' {expected}"), (refusal.Kind, refusal.Message));
        Assert.Equal(text, File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(folder.Directory));
    }

    private string Write(string text)
    {
        var path = Path.Combine(folder.Directory, "edge.json");
        File.WriteAllText(path, text);
        return path;
    }

    private static JsonObject Read(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();
}
