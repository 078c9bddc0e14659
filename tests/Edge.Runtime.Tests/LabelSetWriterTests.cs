using System.Text;
using System.Text.Json;
using Edge.Camera.Frames;
using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Tests;

public sealed class LabelSetWriterTests
{
    private static readonly string[] BaseKeys =
    [
        "schema", "device", "stream", "head", "source", "frame", "captured_at", "scores", "active", "turned_on", "turned_off",
        "latency_ms", "budget_ms", "deadline_met", "model", "ep", "batch",
    ];

    private static readonly DateTimeOffset CapturedAt = new DateTimeOffset(2026, 11, 26, 7, 12, 3, 482, TimeSpan.Zero).AddTicks(1937);

    [Fact]
    public void Write_FrameWithoutTruth_IsOneJsonLineWithExactlyTheDocumentedKeys()
    {
        var (writer, decoder, _) = Create();
        decoder.Decode(Probabilities(0.9f, 0.1f));

        writer.Write(new Frame(4, 4) { Sequence = 42 }, CapturedAt, decoder, Latency(), 100, deadlineMet: true);
        var text = Encoding.UTF8.GetString(writer.Message.Span);

        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Equal(text.Length - 1, text.IndexOf('\n', StringComparison.Ordinal));
        using var json = JsonDocument.Parse(text);
        Assert.Equal(BaseKeys.Order(StringComparer.Ordinal), json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(BaseKeys, json.RootElement.EnumerateObject().Select(p => p.Name)); // documented order too
    }

    [Fact]
    public void Write_CarriesTheStreamIdAfterTheDevice()
    {
        var (writer, decoder, _) = Create(stream: "gate_2-b");
        decoder.Decode(Probabilities(0.9f, 0.1f));

        writer.Write(new Frame(4, 4) { Sequence = 3 }, CapturedAt, decoder, Latency(), 100, deadlineMet: true);
        using var json = Parse(writer);

        Assert.Equal("gate_2-b", json.RootElement.GetProperty("stream").GetString());
        Assert.Equal("gate_2-b", writer.Stream);
    }

    [Theory]
    [InlineData("")]
    [InlineData("front door")]
    [InlineData("cam\"0")]
    public void Create_InvalidStreamId_Throws(string stream)
    {
        Assert.Throws<ArgumentException>(() => Create(stream: stream));
    }

    [Fact]
    public void Write_FrameWithTruth_AddsTruthKeyWithLabelNames()
    {
        var (writer, decoder, _) = Create();
        decoder.Decode(Probabilities(0.9f, 0.1f));
        var frame = new Frame(4, 4) { Sequence = 1 };
        frame.SetTruth([1, 7]);

        writer.Write(frame, CapturedAt, decoder, Latency(), 100, deadlineMet: true);
        using var json = Parse(writer);

        Assert.Equal(BaseKeys.Append("truth").Order(StringComparer.Ordinal), json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["trouser", "sneaker"], Strings(json.RootElement.GetProperty("truth")));
    }

    [Fact]
    public void Write_FrameWithEmptyTruth_WritesEmptyTruthArray()
    {
        var (writer, decoder, _) = Create();
        decoder.Decode(Probabilities(0.1f));
        var frame = new Frame(4, 4);
        frame.SetTruth([]);

        writer.Write(frame, CapturedAt, decoder, Latency(), 100, deadlineMet: true);
        using var json = Parse(writer);

        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("truth").ValueKind);
        Assert.Equal(0, json.RootElement.GetProperty("truth").GetArrayLength());
    }

    [Fact]
    public void Write_Values_RoundTrip()
    {
        var (writer, decoder, bundle) = Create(device: "rover \"7\"\\north", source: "file:/data/clip ü.mp4", ep: "cpu");
        decoder.Decode(Probabilities(0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 0.95f));
        decoder.Decode(Probabilities(0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.6f, 0.7f, 0.8f, 0.9f, 0.12345f));
        var latency = new StageLatency { Queue = 3.1124, Preprocess = 0.8021, Inference = 31.9, Decode = 0.0114, Total = 35.8259 };

        writer.Write(new Frame(4, 4) { Sequence = 123_456_789_012 }, CapturedAt, decoder, latency, 80.5, deadlineMet: false);
        using var json = Parse(writer);
        var root = json.RootElement;

        Assert.Equal(LabelSetWriter.Schema, root.GetProperty("schema").GetString());
        Assert.Equal("rover \"7\"\\north", root.GetProperty("device").GetString());
        Assert.Equal("file:/data/clip ü.mp4", root.GetProperty("source").GetString());
        Assert.Equal(123_456_789_012, root.GetProperty("frame").GetInt64());
        Assert.Equal(CapturedAt, root.GetProperty("captured_at").GetDateTimeOffset());
        var scores = root.GetProperty("scores").EnumerateObject().ToList();
        Assert.Equal(TestBundle.LabelNames, scores.Select(s => s.Name));
        Assert.Equal(0.1235, scores[9].Value.GetDouble(), 6); // 4 decimals
        Assert.Equal(0.8, scores[7].Value.GetDouble(), 6);
        Assert.Equal(["bag", "sneaker", "shirt", "sandal"], Strings(root.GetProperty("active")));
        Assert.Empty(Strings(root.GetProperty("turned_on")));
        Assert.Equal(["coat", "ankle-boot"], Strings(root.GetProperty("turned_off")));
        var latencyJson = root.GetProperty("latency_ms");
        Assert.Equal(3.112, latencyJson.GetProperty("queue").GetDouble(), 9);
        Assert.Equal(0.802, latencyJson.GetProperty("preprocess").GetDouble(), 9);
        Assert.Equal(31.9, latencyJson.GetProperty("inference").GetDouble(), 9);
        Assert.Equal(0.011, latencyJson.GetProperty("decode").GetDouble(), 9);
        Assert.Equal(35.826, latencyJson.GetProperty("total").GetDouble(), 9);
        Assert.Equal(["queue", "preprocess", "inference", "decode", "total"], latencyJson.EnumerateObject().Select(p => p.Name));
        Assert.Equal(80.5, root.GetProperty("budget_ms").GetDouble());
        Assert.False(root.GetProperty("deadline_met").GetBoolean());
        var model = root.GetProperty("model");
        Assert.Equal(["name", "sha256", "precision"], model.EnumerateObject().Select(p => p.Name));
        Assert.Equal(bundle.Name, model.GetProperty("name").GetString());
        Assert.Equal(bundle.Sha256, model.GetProperty("sha256").GetString());
        Assert.Equal("fp32", model.GetProperty("precision").GetString());
        Assert.Equal("cpu", root.GetProperty("ep").GetString());
    }

    [Fact]
    public void Write_SecondMessage_ReplacesTheFirst()
    {
        var (writer, decoder, _) = Create();
        decoder.Decode(Probabilities(0.9f));
        writer.Write(new Frame(4, 4) { Sequence = 1 }, CapturedAt, decoder, Latency(), 100, deadlineMet: true);
        var firstLength = writer.Message.Length;

        decoder.Decode(Probabilities(0.1f));
        writer.Write(new Frame(4, 4) { Sequence = 2 }, CapturedAt, decoder, Latency(), 100, deadlineMet: true);
        var text = Encoding.UTF8.GetString(writer.Message.Span);

        Assert.Equal(1, text.Count(c => c == '\n'));
        using var json = JsonDocument.Parse(text);
        Assert.Equal(2, json.RootElement.GetProperty("frame").GetInt64());
        Assert.Equal(["t-shirt"], Strings(json.RootElement.GetProperty("turned_off")));
        Assert.NotEqual(0, firstLength);
    }

    [Fact]
    public void Write_AfterTruthFrame_FrameWithoutTruthHasNoTruthKey()
    {
        var (writer, decoder, _) = Create();
        decoder.Decode(Probabilities(0.9f));
        var frame = new Frame(4, 4);
        frame.SetTruth([0]);
        writer.Write(frame, CapturedAt, decoder, Latency(), 100, deadlineMet: true);

        frame.ClearTruth();
        writer.Write(frame, CapturedAt, decoder, Latency(), 100, deadlineMet: true);
        using var json = Parse(writer);

        Assert.False(json.RootElement.TryGetProperty("truth", out _));
    }

    private static (LabelSetWriter Writer, MultiLabelDecoder Decoder, ModelBundle Bundle) Create(string device = "rover-7", string source = "synthetic", string ep = "cpu", string stream = "cam0")
    {
        var bundle = TestBundle.InMemory();
        var decoder = new MultiLabelDecoder(bundle.Labels, OutputKind.Probabilities, new DecoderOptions());
        return (new LabelSetWriter(bundle.Labels, new MessageOrigin(device, stream, source), bundle, ep), decoder, bundle);
    }

    /// <summary>Ten scores: the given ones first, the rest 0.</summary>
    private static float[] Probabilities(params float[] leading)
    {
        var scores = new float[TestBundle.LabelNames.Length];
        leading.CopyTo(scores, 0);
        return scores;
    }

    private static StageLatency Latency() => new() { Queue = 1, Preprocess = 2, Inference = 3, Decode = 4, Total = 10 };

    private static JsonDocument Parse(LabelSetWriter writer) => JsonDocument.Parse(writer.Message);

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
