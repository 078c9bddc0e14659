using Edge.Runtime.Pipeline;

namespace Edge.Outputs.Mqtt;

/// <summary>What an <see cref="MqttPublisher"/> publishes, and where. A class, not a record: a record's ToString would print the password.</summary>
public sealed class MqttPublisherOptions
{
    private Func<string>? stats;

    public required MqttSettings Settings { get; init; }

    public required MqttEndpoint Endpoint { get; init; }

    public required string Device { get; init; }

    /// <summary>The labels of the first head (the configured model), in output order.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>The configured stream ids (<c>EffectiveStreams()</c>): each gets its topics; reports of other streams are not published.</summary>
    public IReadOnlyList<string> Streams { get; init; } = [StreamId.Default];

    /// <summary>
    /// Every inference head, the first being the configured model (<see cref="ModelName"/>, <see cref="Labels"/>); when
    /// null, that one head. With more than one, label topics and entities carry the head's name.
    /// </summary>
    public IReadOnlyList<MqttHead>? Heads { get; init; }

    public string? Password { get; init; }

    /// <summary>The model bundle's name, announced as the device model in Home Assistant discovery.</summary>
    public string? ModelName { get; init; }

    /// <summary>The <c>stats</c> message's JSON (read on the MQTT thread every <see cref="MqttSettings.StatsSeconds"/>); none when null.</summary>
    public Func<string>? Stats { get => stats; init => stats = value; }

    /// <summary>A copy whose <c>stats</c> message comes from <paramref name="message"/>; this one is unchanged.</summary>
    public MqttPublisherOptions WithStats(Func<string> message)
    {
        var copy = (MqttPublisherOptions)MemberwiseClone();
        copy.stats = message;
        return copy;
    }
}
