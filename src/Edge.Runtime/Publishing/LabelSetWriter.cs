using System.Buffers;
using System.Text.Json;
using Edge.Camera.Frames;
using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;

namespace Edge.Runtime.Publishing;

/// <summary>
/// Serialises the label-set message (schema <see cref="Schema"/>, docs/label-set-message.md) into a reused buffer
/// with a reused <see cref="Utf8JsonWriter"/>; label names and fixed fields are encoded once.
/// </summary>
public sealed class LabelSetWriter
{
    public const string Schema = "edge.labels/2";

    private static readonly JsonEncodedText SchemaKey = JsonEncodedText.Encode("schema");
    private static readonly JsonEncodedText BatchKey = JsonEncodedText.Encode("batch");
    private static readonly JsonEncodedText HeadKey = JsonEncodedText.Encode("head");
    private static readonly JsonEncodedText SchemaValue = JsonEncodedText.Encode(Schema);
    private static readonly JsonEncodedText DeviceKey = JsonEncodedText.Encode("device");
    private static readonly JsonEncodedText StreamKey = JsonEncodedText.Encode("stream");
    private static readonly JsonEncodedText SourceKey = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText FrameKey = JsonEncodedText.Encode("frame");
    private static readonly JsonEncodedText CapturedAtKey = JsonEncodedText.Encode("captured_at");
    private static readonly JsonEncodedText ScoresKey = JsonEncodedText.Encode("scores");
    private static readonly JsonEncodedText ActiveKey = JsonEncodedText.Encode("active");
    private static readonly JsonEncodedText TurnedOnKey = JsonEncodedText.Encode("turned_on");
    private static readonly JsonEncodedText TurnedOffKey = JsonEncodedText.Encode("turned_off");
    private static readonly JsonEncodedText LatencyKey = JsonEncodedText.Encode("latency_ms");
    private static readonly JsonEncodedText QueueKey = JsonEncodedText.Encode("queue");
    private static readonly JsonEncodedText PreprocessKey = JsonEncodedText.Encode("preprocess");
    private static readonly JsonEncodedText InferenceKey = JsonEncodedText.Encode("inference");
    private static readonly JsonEncodedText DecodeKey = JsonEncodedText.Encode("decode");
    private static readonly JsonEncodedText TotalKey = JsonEncodedText.Encode("total");
    private static readonly JsonEncodedText BudgetKey = JsonEncodedText.Encode("budget_ms");
    private static readonly JsonEncodedText DeadlineMetKey = JsonEncodedText.Encode("deadline_met");
    private static readonly JsonEncodedText ModelKey = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText NameKey = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText Sha256Key = JsonEncodedText.Encode("sha256");
    private static readonly JsonEncodedText PrecisionKey = JsonEncodedText.Encode("precision");
    private static readonly JsonEncodedText EpKey = JsonEncodedText.Encode("ep");
    private static readonly JsonEncodedText TruthKey = JsonEncodedText.Encode("truth");
    private static readonly JsonEncodedText LocationsKey = JsonEncodedText.Encode("locations");
    private static readonly JsonEncodedText XKey = JsonEncodedText.Encode("x");
    private static readonly JsonEncodedText YKey = JsonEncodedText.Encode("y");
    private static readonly JsonEncodedText BoxKey = JsonEncodedText.Encode("box");

    private readonly ArrayBufferWriter<byte> buffer = new(4096);
    private readonly Utf8JsonWriter writer;
    private readonly JsonEncodedText[] labelNames;
    private readonly JsonEncodedText device;
    private readonly JsonEncodedText stream;
    private readonly JsonEncodedText source;
    private readonly JsonEncodedText head;
    private readonly JsonEncodedText modelName;
    private readonly JsonEncodedText modelSha256;
    private readonly JsonEncodedText modelPrecision;
    private readonly JsonEncodedText executionProvider;
    private readonly IReadOnlyList<LabelThreshold> labels;
    private readonly MessageOrigin origin;

    /// <param name="head">The inference head's name (<c>head</c> in the message); the model's name when null.</param>
    public LabelSetWriter(IReadOnlyList<LabelThreshold> labels, MessageOrigin origin, ModelBundle model, string executionProvider, string? head = null)
    {
        this.labels = labels;
        this.origin = origin;
        HeadName = head ?? model.Name;
        this.head = JsonEncodedText.Encode(HeadName);
        writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        labelNames = labels.Select(label => JsonEncodedText.Encode(label.Name)).ToArray();
        Stream = origin.Stream;
        device = JsonEncodedText.Encode(origin.Device);
        stream = JsonEncodedText.Encode(origin.Stream);
        source = JsonEncodedText.Encode(origin.Source);
        ModelName = model.Name;
        modelName = JsonEncodedText.Encode(model.Name);
        modelSha256 = JsonEncodedText.Encode(model.Sha256);
        modelPrecision = JsonEncodedText.Encode(model.Precision);
        this.executionProvider = JsonEncodedText.Encode(executionProvider);
    }

    /// <summary>
    /// A writer of the same stream, head and labels naming another model (a model swap); the head keeps its name even
    /// when it was named after the model, since outputs and configuration refer to heads by name.
    /// </summary>
    public LabelSetWriter WithModel(ModelBundle model, string executionProvider) =>
        new(labels, origin, model, executionProvider, HeadName);

    /// <summary>The model's name (manifest <c>name</c>) as written into every message.</summary>
    public string ModelName { get; }

    /// <summary>The head's name as written into every message.</summary>
    public string HeadName { get; }

    /// <summary>The stream id written into every message.</summary>
    public string Stream { get; }

    public int LabelCount => labelNames.Length;

    /// <summary>The message written by the last <see cref="Write"/>, UTF-8, ending in a newline.</summary>
    public ReadOnlyMemory<byte> Message => buffer.WrittenMemory;

    /// <param name="locator">When given, a <c>locations</c> object places each active label (from activation maps).</param>
    /// <param name="batch">How many frames the inference that labelled this one ran on.</param>
    public void Write(Frame frame, DateTimeOffset capturedAt, MultiLabelDecoder decoded, in StageLatency latency, double budgetMs, bool deadlineMet, LabelLocator? locator = null, int batch = 1)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString(SchemaKey, SchemaValue);
        writer.WriteString(DeviceKey, device);
        writer.WriteString(StreamKey, stream);
        writer.WriteString(HeadKey, head);
        writer.WriteString(SourceKey, source);
        writer.WriteNumber(FrameKey, frame.Sequence);
        writer.WriteString(CapturedAtKey, capturedAt);

        writer.WriteStartObject(ScoresKey);
        var scores = decoded.Scores;
        for (var i = 0; i < scores.Length; i++)
        {
            writer.WriteNumber(labelNames[i], Math.Round(scores[i], 4));
        }

        writer.WriteEndObject();
        WriteLabels(ActiveKey, decoded.Active);
        WriteLabels(TurnedOnKey, decoded.TurnedOn);
        WriteLabels(TurnedOffKey, decoded.TurnedOff);
        if (locator is not null)
        {
            WriteLocations(locator, decoded.Active);
        }

        writer.WriteStartObject(LatencyKey);
        writer.WriteNumber(QueueKey, Math.Round(latency.Queue, 3));
        writer.WriteNumber(PreprocessKey, Math.Round(latency.Preprocess, 3));
        writer.WriteNumber(InferenceKey, Math.Round(latency.Inference, 3));
        writer.WriteNumber(DecodeKey, Math.Round(latency.Decode, 3));
        writer.WriteNumber(TotalKey, Math.Round(latency.Total, 3));
        writer.WriteEndObject();

        writer.WriteNumber(BudgetKey, budgetMs);
        writer.WriteBoolean(DeadlineMetKey, deadlineMet);
        writer.WriteStartObject(ModelKey);
        writer.WriteString(NameKey, modelName);
        writer.WriteString(Sha256Key, modelSha256);
        writer.WriteString(PrecisionKey, modelPrecision);
        writer.WriteEndObject();
        writer.WriteString(EpKey, executionProvider);
        writer.WriteNumber(BatchKey, batch);
        if (frame.HasTruth)
        {
            WriteLabels(TruthKey, frame.Truth);
        }

        writer.WriteEndObject();
        writer.Flush();
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
    }

    private void WriteLocations(LabelLocator locator, ReadOnlySpan<int> active)
    {
        writer.WriteStartObject(LocationsKey);
        foreach (var label in active)
        {
            var location = locator[label];
            writer.WriteStartObject(labelNames[label]);
            writer.WriteNumber(XKey, Math.Round(location.X, 3));
            writer.WriteNumber(YKey, Math.Round(location.Y, 3));
            writer.WriteStartArray(BoxKey);
            writer.WriteNumberValue(Math.Round(location.Left, 3));
            writer.WriteNumberValue(Math.Round(location.Top, 3));
            writer.WriteNumberValue(Math.Round(location.Right, 3));
            writer.WriteNumberValue(Math.Round(location.Bottom, 3));
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private void WriteLabels(JsonEncodedText key, ReadOnlySpan<int> indices)
    {
        writer.WriteStartArray(key);
        foreach (var index in indices)
        {
            writer.WriteStringValue(labelNames[index]);
        }

        writer.WriteEndArray();
    }
}
