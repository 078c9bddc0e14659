using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Edge.Outputs.Mqtt;

/// <summary>
/// The topics and payloads under <c>&lt;prefix&gt;/&lt;device&gt;/…</c> (docs/mqtt.md), apart from any connection (the
/// converter half of DeepStream's nvmsgconv/nvmsgbroker split). Outbox topics are numbered so the frame thread queues
/// an index instead of a string.
/// </summary>
internal sealed class MqttMessageConverter
{
    public const int LabelsTopic = 0;
    public const int EventsTopic = 1;
    public const int AvailabilityTopic = 2;
    private const int FirstLabelTopic = 3;
    private static readonly string SoftwareVersion = typeof(MqttMessageConverter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
    private static readonly byte[] On = "ON"u8.ToArray();
    private static readonly byte[] Off = "OFF"u8.ToArray();

    private readonly MqttSettings settings;
    private readonly string device;
    private readonly IReadOnlyList<string> labels;
    private readonly string? modelName;
    private readonly string[] topics;

    /// <exception cref="MqttConfigurationException">The device or a label cannot be part of an MQTT topic.</exception>
    public MqttMessageConverter(MqttSettings settings, string device, IReadOnlyList<string> labels, string? modelName)
    {
        this.settings = settings;
        this.device = device;
        this.labels = labels;
        this.modelName = modelName;
        var root = $"{MqttTopics.Prefix("mqtt.prefix", settings.Prefix)}/{MqttTopics.Segment("device", device)}";
        AvailableTopic = $"{root}/available";
        topics = [$"{root}/labels", $"{root}/events", AvailableTopic, .. labels.Select(label => $"{root}/label/{MqttTopics.Label(label)}")];
        StatsTopic = $"{root}/stats";
    }

    public string AvailableTopic { get; }

    public string StatsTopic { get; }

    public static int LabelTopic(int label) => FirstLabelTopic + label;

    public static ReadOnlySpan<byte> LabelState(bool on) => on ? On : Off;

    public string TopicOf(int topic) => topics[topic];

    public MqttOutgoingMessage Availability(string state) => new(AvailableTopic, Encoding.UTF8.GetBytes(state), Retain: true);

    public MqttOutgoingMessage Stats(string json) => new(StatsTopic, Encoding.UTF8.GetBytes(json), Retain: false);

    /// <summary>
    /// After every (re)connect: the availability, discovery, and the retained label states the broker may have lost.
    /// Lazy, so each label state is read when its message goes out.
    /// </summary>
    public IEnumerable<MqttOutgoingMessage> Announcement(string availability, IReadOnlyList<bool> labelStates)
    {
        yield return Availability(availability);
        if (settings.HomeAssistantDiscovery)
        {
            var node = HomeAssistantId.From(device);
            var discoveryPrefix = MqttTopics.Prefix("mqtt.discovery_prefix", settings.DiscoveryPrefix);
            for (var i = 0; i < labels.Count; i++)
            {
                yield return new($"{discoveryPrefix}/binary_sensor/{node}/{HomeAssistantId.From(labels[i])}/config", DiscoveryConfig(i, node), Retain: true);
            }
        }

        for (var i = 0; i < labels.Count; i++)
        {
            yield return new(topics[LabelTopic(i)], labelStates[i] ? On : Off, Retain: true);
        }
    }

    /// <summary>One binary sensor (Home Assistant's MQTT discovery keys): sanitised ids, the human names as given.</summary>
    private byte[] DiscoveryConfig(int label, string node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("name", labels[label]);
            writer.WriteString("unique_id", $"{node}_{HomeAssistantId.From(labels[label])}");
            writer.WriteString("state_topic", topics[LabelTopic(label)]);
            writer.WriteString("availability_topic", AvailableTopic);
            writer.WriteString("payload_on", "ON");
            writer.WriteString("payload_off", "OFF");
            writer.WriteStartObject("device");
            writer.WriteStartArray("identifiers");
            writer.WriteStringValue($"edge_{node}");
            writer.WriteEndArray();
            writer.WriteString("name", device);
            writer.WriteString("manufacturer", "Edge");
            writer.WriteString("model", modelName ?? "edge runtime");
            writer.WriteString("sw_version", SoftwareVersion);
            writer.WriteEndObject();
            writer.WriteStartObject("origin");
            writer.WriteString("name", "edge");
            writer.WriteString("sw_version", SoftwareVersion);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }
}
