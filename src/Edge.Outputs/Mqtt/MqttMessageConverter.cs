using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Edge.Outputs.Mqtt;

/// <summary>
/// The topics and payloads under <c>&lt;prefix&gt;/&lt;device&gt;/…</c> (docs/mqtt.md), apart from any connection (the
/// converter half of DeepStream's nvmsgconv/nvmsgbroker split). Device-level: <c>available</c> (last will) and
/// <c>stats</c>. Per stream: <c>&lt;stream&gt;/availability</c>, <c>&lt;stream&gt;/events</c>, and per (stream, head)
/// "lane" <c>&lt;stream&gt;[/&lt;head&gt;]/labels</c> and <c>…/label/&lt;label&gt;</c>, the head level present only
/// when several heads are configured. Outbox topics are numbered so the frame thread queues an index instead of a string.
/// </summary>
internal sealed class MqttMessageConverter
{
    public const int AvailabilityTopic = 0;
    private static readonly string SoftwareVersion = typeof(MqttMessageConverter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
    private static readonly byte[] On = "ON"u8.ToArray();
    private static readonly byte[] Off = "OFF"u8.ToArray();

    private readonly MqttSettings settings;
    private readonly string device;
    private readonly string[] streams;
    private readonly MqttHead[] heads;
    private readonly string? modelName;
    private readonly List<string> topics = [];
    private readonly int[] streamEvents;
    private readonly int[] streamAvailability;
    private readonly int[] laneLabels;
    private readonly int[] laneFirstLabel;

    /// <exception cref="MqttConfigurationException">The device, a stream, a head or a label cannot be part of an MQTT topic.</exception>
    public MqttMessageConverter(MqttSettings settings, string device, IReadOnlyList<string> streams, IReadOnlyList<MqttHead> heads, string? modelName)
    {
        ArgumentOutOfRangeException.ThrowIfZero(streams.Count);
        ArgumentOutOfRangeException.ThrowIfZero(heads.Count);
        this.settings = settings;
        this.device = device;
        this.streams = [.. streams];
        this.heads = [.. heads];
        this.modelName = modelName;
        var root = $"{MqttTopics.Prefix("mqtt.prefix", settings.Prefix)}/{MqttTopics.Segment("device", device)}";
        AvailableTopic = $"{root}/available";
        StatsTopic = $"{root}/stats";
        topics.Add(AvailableTopic);
        streamEvents = new int[streams.Count];
        streamAvailability = new int[streams.Count];
        laneLabels = new int[streams.Count * heads.Count];
        laneFirstLabel = new int[streams.Count * heads.Count];
        var headSegments = heads.Select(head => MqttTopics.Segment("heads[].name", head.Name)).ToArray();
        var labelSegments = heads.Select(head => head.Labels.Select(MqttTopics.Label).ToArray()).ToArray();
        for (var s = 0; s < streams.Count; s++)
        {
            var streamRoot = $"{root}/{MqttTopics.Segment("streams[].id", streams[s])}";
            streamEvents[s] = Add($"{streamRoot}/events");
            streamAvailability[s] = Add($"{streamRoot}/availability");
            for (var h = 0; h < heads.Count; h++)
            {
                var laneRoot = heads.Count == 1 ? streamRoot : $"{streamRoot}/{headSegments[h]}";
                var lane = LaneOf(s, h);
                laneLabels[lane] = Add($"{laneRoot}/labels");
                laneFirstLabel[lane] = topics.Count;
                foreach (var label in labelSegments[h])
                {
                    Add($"{laneRoot}/label/{label}");
                }
            }
        }
    }

    public string AvailableTopic { get; }

    public string StatsTopic { get; }

    public int StreamCount => streams.Length;

    public int HeadCount => heads.Length;

    public int LaneCount => laneLabels.Length;

    public static ReadOnlySpan<byte> LabelState(bool on) => on ? On : Off;

    public int LaneOf(int stream, int head) => (stream * heads.Length) + head;

    public int HeadOfLane(int lane) => lane % heads.Length;

    public int StreamOfLane(int lane) => lane / heads.Length;

    public int LabelCount(int lane) => heads[HeadOfLane(lane)].Labels.Count;

    public int EventsTopic(int stream) => streamEvents[stream];

    public int StreamAvailabilityTopic(int stream) => streamAvailability[stream];

    public int LabelsTopic(int lane) => laneLabels[lane];

    public int LabelTopic(int lane, int label) => laneFirstLabel[lane] + label;

    /// <summary>The index of a configured stream, or -1 (an ordinal scan: no allocation).</summary>
    public int StreamIndex(string stream)
    {
        for (var i = 0; i < streams.Length; i++)
        {
            if (string.Equals(streams[i], stream, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The lane of a report, or -1 for a stream or head not configured. With one head, every report is its.</summary>
    public int LaneIndex(string stream, string model)
    {
        var s = StreamIndex(stream);
        if (s < 0)
        {
            return -1;
        }

        if (heads.Length == 1)
        {
            return s;
        }

        for (var h = 0; h < heads.Length; h++)
        {
            if (string.Equals(heads[h].Name, model, StringComparison.Ordinal))
            {
                return LaneOf(s, h);
            }
        }

        return -1;
    }

    public string TopicOf(int topic) => topics[topic];

    public MqttOutgoingMessage Availability(string state) => new(AvailableTopic, Encoding.UTF8.GetBytes(state), Retain: true);

    public MqttOutgoingMessage StreamAvailability(int stream, bool online) => new(topics[streamAvailability[stream]], online ? "online"u8.ToArray() : "offline"u8.ToArray(), Retain: true);

    public MqttOutgoingMessage Stats(string json) => new(StatsTopic, Encoding.UTF8.GetBytes(json), Retain: false);

    /// <summary>
    /// After every (re)connect: the device's and each stream's availability, discovery, and the retained label states
    /// the broker may have lost. Lazy, so each state is read when its message goes out.
    /// </summary>
    public IEnumerable<MqttOutgoingMessage> Announcement(string availability, Func<int, bool> streamOnline, Func<int, int, bool> labelState)
    {
        yield return Availability(availability);
        for (var s = 0; s < streams.Length; s++)
        {
            yield return StreamAvailability(s, streamOnline(s));
        }

        if (settings.HomeAssistantDiscovery)
        {
            var node = HomeAssistantId.From(device);
            var discoveryPrefix = MqttTopics.Prefix("mqtt.discovery_prefix", settings.DiscoveryPrefix);
            for (var lane = 0; lane < LaneCount; lane++)
            {
                for (var i = 0; i < LabelCount(lane); i++)
                {
                    var objectId = ObjectId(lane, i);
                    yield return new($"{discoveryPrefix}/binary_sensor/{node}/{objectId}/config", DiscoveryConfig(lane, i, node, objectId), Retain: true);
                }
            }
        }

        for (var lane = 0; lane < LaneCount; lane++)
        {
            for (var i = 0; i < LabelCount(lane); i++)
            {
                yield return new(topics[LabelTopic(lane, i)], labelState(lane, i) ? On : Off, Retain: true);
            }
        }
    }

    /// <summary><c>&lt;stream&gt;_&lt;label&gt;</c>, or <c>&lt;stream&gt;_&lt;head&gt;_&lt;label&gt;</c> with several heads; Home Assistant's alphabet.</summary>
    private string ObjectId(int lane, int label)
    {
        var head = heads[HeadOfLane(lane)];
        var stream = streams[StreamOfLane(lane)];
        return heads.Length == 1
            ? $"{HomeAssistantId.From(stream)}_{HomeAssistantId.From(head.Labels[label])}"
            : $"{HomeAssistantId.From(stream)}_{HomeAssistantId.From(head.Name)}_{HomeAssistantId.From(head.Labels[label])}";
    }

    /// <summary>
    /// One binary sensor (Home Assistant's MQTT discovery keys): sanitised ids, the human names as given. Each stream is
    /// its own device (a camera), linked to the edge device by <c>via_device</c>; it is available while both the edge
    /// device and the stream are.
    /// </summary>
    private byte[] DiscoveryConfig(int lane, int label, string node, string objectId)
    {
        var head = heads[HeadOfLane(lane)];
        var stream = streams[StreamOfLane(lane)];
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("name", heads.Length == 1 ? head.Labels[label] : $"{head.Name} {head.Labels[label]}");
            writer.WriteString("unique_id", $"{node}_{objectId}");
            writer.WriteString("state_topic", topics[LabelTopic(lane, label)]);
            writer.WriteStartArray("availability");
            writer.WriteStartObject();
            writer.WriteString("topic", AvailableTopic);
            writer.WriteEndObject();
            writer.WriteStartObject();
            writer.WriteString("topic", topics[streamAvailability[StreamOfLane(lane)]]);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteString("availability_mode", "all");
            writer.WriteString("payload_on", "ON");
            writer.WriteString("payload_off", "OFF");
            writer.WriteStartObject("device");
            writer.WriteStartArray("identifiers");
            writer.WriteStringValue($"edge_{node}_{HomeAssistantId.From(stream)}");
            writer.WriteEndArray();
            writer.WriteString("name", $"{device} {stream}");
            writer.WriteString("manufacturer", "Edge");
            writer.WriteString("model", modelName ?? "edge runtime");
            writer.WriteString("sw_version", SoftwareVersion);
            writer.WriteString("via_device", $"edge_{node}");
            writer.WriteEndObject();
            writer.WriteStartObject("origin");
            writer.WriteString("name", "edge");
            writer.WriteString("sw_version", SoftwareVersion);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return output.ToArray();
    }

    private int Add(string topic)
    {
        topics.Add(topic);
        return topics.Count - 1;
    }
}
