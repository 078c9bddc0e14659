using System.Buffers;
using System.Text.Json;
using Edge.Runtime.Budget;

namespace Edge.Runtime.Events;

/// <summary>Serialises <see cref="PipelineEvent"/>s as <c>edge.event/1</c> JSON into a reused buffer (one line each); not thread-safe.</summary>
public sealed class EventJsonWriter
{
    public const string Schema = "edge.event/1";

    private static readonly JsonEncodedText SchemaKey = JsonEncodedText.Encode("schema");
    private static readonly JsonEncodedText SchemaValue = JsonEncodedText.Encode(Schema);
    private static readonly JsonEncodedText DeviceKey = JsonEncodedText.Encode("device");
    private static readonly JsonEncodedText StreamKey = JsonEncodedText.Encode("stream");
    private static readonly JsonEncodedText EventKey = JsonEncodedText.Encode("event");
    private static readonly JsonEncodedText FrameKey = JsonEncodedText.Encode("frame");
    private static readonly JsonEncodedText AtKey = JsonEncodedText.Encode("at");
    private static readonly JsonEncodedText ReasonKey = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText StageKey = JsonEncodedText.Encode("stage");
    private static readonly JsonEncodedText LatencyKey = JsonEncodedText.Encode("latency_ms");
    private static readonly JsonEncodedText BudgetKey = JsonEncodedText.Encode("budget_ms");
    private static readonly JsonEncodedText PublishedKey = JsonEncodedText.Encode("published");
    private static readonly JsonEncodedText TotalCountKey = JsonEncodedText.Encode("total_count");
    private static readonly JsonEncodedText TotalCountChangeKey = JsonEncodedText.Encode("total_count_change");
    private static readonly JsonEncodedText LevelKey = JsonEncodedText.Encode("level");
    private static readonly JsonEncodedText ProfileKey = JsonEncodedText.Encode("profile");
    private static readonly JsonEncodedText MissRateKey = JsonEncodedText.Encode("miss_rate");
    private static readonly JsonEncodedText LabelKey = JsonEncodedText.Encode("label");
    private static readonly JsonEncodedText SourceKey = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText HeadKey = JsonEncodedText.Encode("head");
    private static readonly JsonEncodedText ModelKey = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText Sha256Key = JsonEncodedText.Encode("sha256");
    private static readonly JsonEncodedText PrecisionKey = JsonEncodedText.Encode("precision");
    private static readonly JsonEncodedText PreviousModelKey = JsonEncodedText.Encode("previous_model");
    private static readonly JsonEncodedText LoadKey = JsonEncodedText.Encode("load_ms");
    private static readonly JsonEncodedText CreateKey = JsonEncodedText.Encode("create_ms");
    private static readonly JsonEncodedText WarmUpKey = JsonEncodedText.Encode("warm_up_ms");
    private static readonly JsonEncodedText WaitKey = JsonEncodedText.Encode("wait_ms");
    private static readonly JsonEncodedText TotalKey = JsonEncodedText.Encode("total_ms");
    private static readonly JsonEncodedText[] Kinds =
    [
        JsonEncodedText.Encode("deadline_missed"), JsonEncodedText.Encode("degraded"), JsonEncodedText.Encode("recovered"),
        JsonEncodedText.Encode("label_on"), JsonEncodedText.Encode("label_off"), JsonEncodedText.Encode("camera_lost"), JsonEncodedText.Encode("camera_recovered"),
        JsonEncodedText.Encode("model_swapped"),
    ];
    private static readonly JsonEncodedText[] Reasons = [JsonEncodedText.Encode("late"), JsonEncodedText.Encode("cancelled"), JsonEncodedText.Encode("stage_overrun")];
    private static readonly JsonEncodedText[] Stages = [.. Enum.GetNames<PipelineStage>().Select(name => JsonEncodedText.Encode(name.ToLowerInvariant()))];

    private readonly ArrayBufferWriter<byte> buffer = new(512);
    private readonly Utf8JsonWriter writer;
    private readonly JsonEncodedText device;
    public EventJsonWriter(string device)
    {
        writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        this.device = JsonEncodedText.Encode(device);
    }

    public static string KindName(PipelineEventKind kind) => Kinds[(int)kind].ToString();

    public static string ReasonName(MissReason reason) => Reasons[(int)reason].ToString();

    public static string StageName(PipelineStage stage) => Stages[(int)stage].ToString();

    /// <summary>The last event written, UTF-8, ending in a newline.</summary>
    public ReadOnlyMemory<byte> Message => buffer.WrittenMemory;

    public void Write(in PipelineEvent e)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString(SchemaKey, SchemaValue);
        writer.WriteString(DeviceKey, device);
        writer.WriteString(StreamKey, e.Stream);
        writer.WriteString(EventKey, Kinds[(int)e.Kind]);
        writer.WriteNumber(FrameKey, e.Frame);
        writer.WriteString(AtKey, e.At);
        if (e.Kind == PipelineEventKind.DeadlineMissed)
        {
            writer.WriteString(ReasonKey, Reasons[(int)e.Reason]);
            if (e.Stage is { } stage)
            {
                writer.WriteString(StageKey, Stages[(int)stage]);
            }
            else
            {
                writer.WriteNull(StageKey);
            }

            writer.WriteNumber(LatencyKey, Math.Round(e.LatencyMs, 3));
            writer.WriteNumber(BudgetKey, e.BudgetMs);
            writer.WriteBoolean(PublishedKey, e.Published);
            writer.WriteNumber(TotalCountKey, e.Status.TotalCount);
            writer.WriteNumber(TotalCountChangeKey, e.Status.TotalCountChange);
        }
        else if (e.Kind is PipelineEventKind.LabelOn or PipelineEventKind.LabelOff)
        {
            writer.WriteString(LabelKey, e.Label);
        }
        else if (e.Kind is PipelineEventKind.CameraLost or PipelineEventKind.CameraRecovered)
        {
            writer.WriteString(SourceKey, e.Source);
        }
        else if (e.Kind == PipelineEventKind.ModelSwapped)
        {
            writer.WriteString(HeadKey, e.Head);
            writer.WriteString(ModelKey, e.Model);
            writer.WriteString(Sha256Key, e.Sha256);
            writer.WriteString(PrecisionKey, e.Precision);
            writer.WriteString(PreviousModelKey, e.PreviousModel);
            writer.WriteNumber(LoadKey, Math.Round(e.Swap.LoadMs, 3));
            writer.WriteNumber(CreateKey, Math.Round(e.Swap.CreateMs, 3));
            writer.WriteNumber(WarmUpKey, Math.Round(e.Swap.WarmUpMs, 3));
            writer.WriteNumber(WaitKey, Math.Round(e.Swap.WaitMs, 3));
            writer.WriteNumber(TotalKey, Math.Round(e.Swap.TotalMs, 3));
        }
        else
        {
            writer.WriteNumber(LevelKey, e.Level);
            writer.WriteString(ProfileKey, e.Profile);

            writer.WriteNumber(MissRateKey, Math.Round(e.MissRate, 4));
        }

        writer.WriteEndObject();
        writer.Flush();
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
    }
}
