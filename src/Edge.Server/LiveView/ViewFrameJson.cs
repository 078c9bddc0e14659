using System.Buffers;
using System.Text.Json;
using Edge.Runtime.Pipeline;

namespace Edge.Server.LiveView;

/// <summary>
/// Writes the text message that goes with each JPEG (<c>edge.view/1</c>): which frame of which stream and head it is,
/// what became of it, its latency per stage, and its label set exactly as published (<c>null</c> when none was).
/// Used on the encoder thread only.
/// </summary>
internal sealed class ViewFrameJson
{
    public const string Schema = "edge.view/1";

    private static readonly JsonEncodedText SchemaKey = JsonEncodedText.Encode("schema");
    private static readonly JsonEncodedText SchemaValue = JsonEncodedText.Encode(Schema);
    private static readonly JsonEncodedText StreamKey = JsonEncodedText.Encode("stream");
    private static readonly JsonEncodedText HeadKey = JsonEncodedText.Encode("head");
    private static readonly JsonEncodedText FrameKey = JsonEncodedText.Encode("frame");
    private static readonly JsonEncodedText OutcomeKey = JsonEncodedText.Encode("outcome");
    private static readonly JsonEncodedText DeadlineMetKey = JsonEncodedText.Encode("deadline_met");
    private static readonly JsonEncodedText LevelKey = JsonEncodedText.Encode("level");
    private static readonly JsonEncodedText WidthKey = JsonEncodedText.Encode("width");
    private static readonly JsonEncodedText HeightKey = JsonEncodedText.Encode("height");
    private static readonly JsonEncodedText LatencyKey = JsonEncodedText.Encode("latency_ms");
    private static readonly JsonEncodedText QueueKey = JsonEncodedText.Encode("queue");
    private static readonly JsonEncodedText PreprocessKey = JsonEncodedText.Encode("preprocess");
    private static readonly JsonEncodedText InferenceKey = JsonEncodedText.Encode("inference");
    private static readonly JsonEncodedText DecodeKey = JsonEncodedText.Encode("decode");
    private static readonly JsonEncodedText TotalKey = JsonEncodedText.Encode("total");
    private static readonly JsonEncodedText EndToEndKey = JsonEncodedText.Encode("end_to_end_ms");
    private static readonly JsonEncodedText LabelsKey = JsonEncodedText.Encode("labels");

    private readonly ArrayBufferWriter<byte> buffer = new(1024);
    private readonly Utf8JsonWriter writer;

    public ViewFrameJson() => writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });

    /// <summary>The outcome as the JSON names it (<c>published</c>, <c>published_late</c>, <c>dropped_stale</c>, ...).</summary>
    public static string OutcomeName(FrameOutcome outcome) => outcome switch
    {
        FrameOutcome.Published => "published",
        FrameOutcome.PublishedLate => "published_late",
        FrameOutcome.DroppedStale => "dropped_stale",
        FrameOutcome.Skipped => "skipped",
        FrameOutcome.Withheld => "withheld",
        FrameOutcome.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "unknown frame outcome"),
    };

    /// <summary>The message for <paramref name="frame"/>, whose JPEG is <paramref name="width"/> by <paramref name="height"/>.</summary>
    public byte[] Write(TappedFrame frame, int width, int height)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString(SchemaKey, SchemaValue);
        writer.WriteString(StreamKey, frame.Stream);
        writer.WriteString(HeadKey, frame.Head);
        writer.WriteNumber(FrameKey, frame.Frame);
        writer.WriteString(OutcomeKey, OutcomeName(frame.Outcome));

        // Met only when published in time; a frame dropped, cancelled or withheld at its deadline missed it; a frame a
        // degrade step skipped had no deadline to meet.
        if (frame.Outcome == FrameOutcome.Skipped)
        {
            writer.WriteNull(DeadlineMetKey);
        }
        else
        {
            writer.WriteBoolean(DeadlineMetKey, frame.Outcome == FrameOutcome.Published);
        }

        writer.WriteNumber(LevelKey, frame.Level);
        writer.WriteNumber(WidthKey, width);
        writer.WriteNumber(HeightKey, height);
        writer.WriteStartObject(LatencyKey);
        var latency = frame.Latency;
        writer.WriteNumber(QueueKey, Math.Round(latency.Queue, 3));
        writer.WriteNumber(PreprocessKey, Math.Round(latency.Preprocess, 3));
        writer.WriteNumber(InferenceKey, Math.Round(latency.Inference, 3));
        writer.WriteNumber(DecodeKey, Math.Round(latency.Decode, 3));
        writer.WriteNumber(TotalKey, Math.Round(latency.Total, 3));
        writer.WriteEndObject();
        if (double.IsNaN(frame.EndToEndMs))
        {
            writer.WriteNull(EndToEndKey);
        }
        else
        {
            writer.WriteNumber(EndToEndKey, Math.Round(frame.EndToEndMs, 3));
        }

        writer.WritePropertyName(LabelsKey);
        if (frame.MessageLength == 0)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(frame.Message, skipInputValidation: true);
        }

        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
