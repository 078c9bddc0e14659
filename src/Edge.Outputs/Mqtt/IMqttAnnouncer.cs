namespace Edge.Outputs.Mqtt;

/// <summary>What the <see cref="MqttConnectionSupervisor"/> sends besides the outbox, and the outbox's topic names.</summary>
internal interface IMqttAnnouncer
{
    string TopicOf(int outboxTopic);

    /// <summary>Sent after every (re)connect, before the outbox: retained state the broker may have lost.</summary>
    IEnumerable<MqttOutgoingMessage> Announcement();

    /// <summary>The periodic stats message, or null when there are none.</summary>
    MqttOutgoingMessage? Stats();
}
