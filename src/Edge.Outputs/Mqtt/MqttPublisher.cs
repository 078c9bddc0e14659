using Edge.Runtime.Events;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Logging;

namespace Edge.Outputs.Mqtt;

/// <summary>
/// Publishes label sets, label states, events and periodic stats to an MQTT broker under
/// <c>&lt;prefix&gt;/&lt;device&gt;/…</c> (docs/mqtt.md). The frame thread only copies messages into a bounded
/// <see cref="MqttOutbox"/>; the <see cref="MqttConnectionSupervisor"/> sends them on its own task, announcing
/// <c>available</c> (the last will says <c>offline</c>) and the retained state after every reconnect.
/// </summary>
public sealed class MqttPublisher : IMqttAnnouncer, IDisposable
{
    private readonly MqttSettings settings;
    private readonly TimeProvider time;
    private readonly Func<string>? stats;
    private readonly MqttMessageConverter messages;
    private readonly MqttOutbox outbox;
    private readonly EventJsonWriter eventWriter;
    private readonly bool[] labelStates;
    private readonly MqttConnectionSupervisor connection;
    private byte[] lastLabelSet = new byte[16384];
    private int lastLabelSetLength;
    private long lastLabelSetPublishedAt;
    private volatile string availability = "online";

    /// <exception cref="MqttConfigurationException">The device, a label or a prefix cannot be part of an MQTT topic.</exception>
    public MqttPublisher(MqttPublisherOptions options, ILogger logger, TimeProvider time)
    {
        options.Settings.Validate();
        settings = options.Settings;
        this.time = time;
        stats = options.Stats;
        messages = new MqttMessageConverter(settings, options.Device, options.Labels, options.ModelName);
        outbox = new MqttOutbox(settings.Outbox);
        eventWriter = new EventJsonWriter(options.Device);
        labelStates = new bool[options.Labels.Count];
        var client = new MqttBrokerClient(new MqttConnectionOptions
        {
            Endpoint = options.Endpoint,
            ClientId = MqttBrokerClient.UniqueClientId(options.Device),
            AvailabilityTopic = messages.AvailableTopic,
            Qos = settings.Qos,
            Password = options.Password,
            CaFile = settings.CaFile,
            CertFile = settings.CertFile,
            KeyFile = settings.KeyFile,
        });
        ClientId = client.ClientId;
        connection = new MqttConnectionSupervisor(client, outbox, this, TimeSpan.FromSeconds(settings.StatsSeconds), logger, time);
    }

    /// <summary>Messages the broker accepted.</summary>
    public long Published => connection.Published;

    /// <summary>Messages dropped because the outbox was full (the broker away or slow).</summary>
    public long Dropped => outbox.Dropped;

    public long Reconnects => connection.Reconnects;

    /// <summary>Messages given up: refused by the broker, or failing three times across reconnects.</summary>
    public long Failed => connection.Failed;

    /// <summary>Messages never acknowledged because the run stopped first (queued, or in flight when the drain time ran out).</summary>
    public long Undelivered => connection.Undelivered;

    /// <summary>The MQTT client id: <c>edge-&lt;device&gt;-&lt;random&gt;</c>, unique per instance.</summary>
    public string ClientId { get; }

    public bool IsConnected => connection.IsConnected;

    /// <summary>"connected", or what went wrong last (never a secret).</summary>
    public string Status => connection.Status;

    public string AvailableTopic => messages.AvailableTopic;

    /// <summary>
    /// What <c>available</c> says while connected: <c>online</c>, or a start-up state such as <c>starting</c> while a
    /// TensorRT engine builds (which can take minutes); retained, and repeated after every reconnect.
    /// </summary>
    public void SetAvailability(string state)
    {
        availability = state;
        outbox.Enqueue(MqttMessageConverter.AvailabilityTopic, messages.Availability(state).Payload, retain: true);
    }

    public void Start() => connection.Start();

    /// <summary>The label set (frame thread): queued now in <c>every</c> mode; in <c>change</c> mode kept for <see cref="OnFrame"/> to decide.</summary>
    public void Publish(ReadOnlySpan<byte> message)
    {
        var trimmed = message.Length > 0 && message[^1] == (byte)'\n' ? message[..^1] : message;
        if (settings.Labels == "every")
        {
            outbox.Enqueue(MqttMessageConverter.LabelsTopic, trimmed, retain: false);
            return;
        }

        if (trimmed.Length > lastLabelSet.Length)
        {
            lastLabelSet = new byte[trimmed.Length * 2]; // once, for unusually large messages
        }

        trimmed.CopyTo(lastLabelSet);
        lastLabelSetLength = trimmed.Length;
    }

    public void Publish(in PipelineEvent pipelineEvent)
    {
        lock (eventWriter)
        {
            eventWriter.Write(pipelineEvent);
            var message = eventWriter.Message.Span;
            outbox.Enqueue(MqttMessageConverter.EventsTopic, message[..^1], retain: false);
        }
    }

    /// <summary>Label states (ON/OFF, retained) on change, and the label set in <c>change</c> mode.</summary>
    public void OnFrame(in FrameReport report)
    {
        if (report.Outcome is not (FrameOutcome.Published or FrameOutcome.PublishedLate) || report.Labels is not { } decoded)
        {
            return;
        }

        foreach (var label in decoded.TurnedOn)
        {
            labelStates[label] = true;
            outbox.Enqueue(MqttMessageConverter.LabelTopic(label), MqttMessageConverter.LabelState(on: true), retain: true);
        }

        foreach (var label in decoded.TurnedOff)
        {
            labelStates[label] = false;
            outbox.Enqueue(MqttMessageConverter.LabelTopic(label), MqttMessageConverter.LabelState(on: false), retain: true);
        }

        if (settings.Labels == "change" && lastLabelSetLength > 0)
        {
            var now = time.GetTimestamp();
            var heartbeatDue = time.GetElapsedTime(lastLabelSetPublishedAt, now).TotalSeconds >= settings.HeartbeatSeconds;
            if (decoded.TurnedOnCount + decoded.TurnedOffCount > 0 || heartbeatDue || lastLabelSetPublishedAt == 0)
            {
                outbox.Enqueue(MqttMessageConverter.LabelsTopic, lastLabelSet.AsSpan(0, lastLabelSetLength), retain: false);
                lastLabelSetPublishedAt = now;
            }
        }
    }

    /// <summary>Stops sending: drains what is queued (up to <paramref name="drainTimeout"/>), announces offline, disconnects.</summary>
    public void Stop(TimeSpan drainTimeout) => connection.Stop(drainTimeout);

    public void Dispose() => connection.Dispose();

    string IMqttAnnouncer.TopicOf(int outboxTopic) => messages.TopicOf(outboxTopic);

    IEnumerable<MqttOutgoingMessage> IMqttAnnouncer.Announcement() => messages.Announcement(availability, labelStates);

    MqttOutgoingMessage? IMqttAnnouncer.Stats() => stats is null ? null : messages.Stats(stats());
}
