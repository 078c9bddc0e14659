using Edge.Runtime.Options;

namespace Edge.Outputs.Mqtt;

/// <summary>
/// MQTT publishing (docs/mqtt.md). Settable properties: System.Text.Json's source generator resets init-only
/// properties missing from the JSON, which would lose these defaults. No password field on purpose: it comes from
/// <c>EDGE_MQTT_PASSWORD</c> or <see cref="PasswordFile"/>.
/// </summary>
public sealed class MqttSettings
{
    /// <summary><c>mqtt://[user@]host[:port]</c> or <c>mqtts://…</c>.</summary>
    public string? Uri { get; set; }

    public string Prefix { get; set; } = "edge";

    public int Qos { get; set; } = 1;

    /// <summary><c>every</c> frame, or on <c>change</c> of the active set plus a heartbeat.</summary>
    public string Labels { get; set; } = "every";

    public double HeartbeatSeconds { get; set; } = 10;

    public double StatsSeconds { get; set; } = 10;

    /// <summary>Messages kept while the broker is away; the oldest are dropped (and counted) beyond this.</summary>
    public int Outbox { get; set; } = 1000;

    public string? PasswordFile { get; set; }

    public string? CaFile { get; set; }

    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    public bool HomeAssistantDiscovery { get; set; }

    public string DiscoveryPrefix { get; set; } = "homeassistant";

    /// <summary>Throws <see cref="SettingException"/> naming the first value out of range, or <see cref="MqttConfigurationException"/> for a prefix that cannot be a topic level.</summary>
    public void Validate()
    {
        if (Qos is < 0 or > 2)
        {
            throw new SettingException("mqtt.qos", Qos, "0, 1 or 2");
        }

        if (Labels is not ("every" or "change"))
        {
            throw new SettingException("mqtt.labels", $"'{Labels}'", "every or change");
        }

        if (Outbox is < 1 or > 1_000_000)
        {
            throw new SettingException("mqtt.outbox", Outbox, "1 to 1000000 messages");
        }

        if (!(HeartbeatSeconds > 0))
        {
            throw new SettingException("mqtt.heartbeat_seconds", HeartbeatSeconds, "a positive number of seconds");
        }

        if (!(StatsSeconds > 0))
        {
            throw new SettingException("mqtt.stats_seconds", StatsSeconds, "a positive number of seconds");
        }

        MqttTopics.Prefix("mqtt.prefix", Prefix);
        MqttTopics.Prefix("mqtt.discovery_prefix", DiscoveryPrefix);

        foreach (var (key, path) in new[] { ("password_file", PasswordFile), ("ca_file", CaFile), ("cert_file", CertFile), ("key_file", KeyFile) })
        {
            if (path is not null && !File.Exists(path))
            {
                throw new SettingException($"mqtt.{key}", $"'{path}'", "a readable file", "names a file that does not exist");
            }
        }
    }

    /// <summary>A copy with another broker URI (a later settings layer that only names the URI); this one is unchanged.</summary>
    public MqttSettings WithUri(string uri)
    {
        var copy = (MqttSettings)MemberwiseClone();
        copy.Uri = uri;
        return copy;
    }
}
