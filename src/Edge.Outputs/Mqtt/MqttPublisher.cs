using Edge.Runtime.Events;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Logging;

namespace Edge.Outputs.Mqtt;

/// <summary>
/// Publishes label sets, label states, events and periodic stats to an MQTT broker under
/// <c>&lt;prefix&gt;/&lt;device&gt;/…</c> (docs/mqtt.md), each stream under its own level with its own availability.
/// What <c>change</c> mode and the label states remember is kept per (stream, head) lane, made up front. The frame thread only copies messages into a bounded
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
    private readonly bool[][] labelStates;
    private readonly MqttConnectionSupervisor connection;
    private readonly byte[][] lastLabelSet;
    private readonly int[] lastLabelSetLength;
    private readonly long[] lastLabelSetPublishedAt;

    // Per stream: 1 once online was announced (its first frame, or camera_recovered), 0 again after camera_lost.
    private readonly int[] streamOnline;

    // Per stream: whether its availability was set at all; until then its first frame says online, afterwards only
    // camera_recovered does (a frame captured before camera_lost must not bring it back).
    private readonly bool[] availabilitySet;
    private readonly Lock availabilityGate = new();
    private volatile string availability = "online";

    /// <exception cref="MqttConfigurationException">The device, a label or a prefix cannot be part of an MQTT topic.</exception>
    public MqttPublisher(MqttPublisherOptions options, ILogger logger, TimeProvider time)
    {
        options.Settings.Validate();
        settings = options.Settings;
        this.time = time;
        stats = options.Stats;
        messages = new MqttMessageConverter(settings, options.Device, options.Streams, options.Heads ?? [new MqttHead(options.ModelName ?? "model", options.Labels)], options.ModelName);
        outbox = new MqttOutbox(settings.Outbox);
        eventWriter = new EventJsonWriter(options.Device);
        labelStates = new bool[messages.LaneCount][];
        lastLabelSet = new byte[messages.LaneCount][];
        for (var lane = 0; lane < messages.LaneCount; lane++)
        {
            labelStates[lane] = new bool[messages.LabelCount(lane)];
            lastLabelSet[lane] = new byte[16384];
        }

        lastLabelSetLength = new int[messages.LaneCount];
        lastLabelSetPublishedAt = new long[messages.LaneCount];
        streamOnline = new int[messages.StreamCount];
        availabilitySet = new bool[messages.StreamCount];
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

    /// <summary>A label set of the first stream's first head (a single-stream publisher).</summary>
    public void Publish(ReadOnlySpan<byte> message) => PublishLabelSet(0, message);

    /// <summary>
    /// The label set (frame thread) of a stream and head: queued now in <c>every</c> mode; in <c>change</c> mode kept
    /// for <see cref="OnFrame"/> to decide. A stream or head that was not configured is not published.
    /// </summary>
    public void Publish(ReadOnlySpan<byte> message, string stream, string model)
    {
        var lane = messages.LaneIndex(stream, model);
        if (lane >= 0)
        {
            PublishLabelSet(lane, message);
        }
    }

    /// <summary>An event, on its stream's <c>events</c> topic; <c>camera_lost</c> and <c>camera_recovered</c> also set the stream's availability.</summary>
    public void Publish(in PipelineEvent pipelineEvent)
    {
        var stream = messages.StreamIndex(pipelineEvent.Stream);
        if (stream < 0)
        {
            return;
        }

        lock (eventWriter)
        {
            eventWriter.Write(pipelineEvent);
            var message = eventWriter.Message.Span;
            outbox.Enqueue(messages.EventsTopic(stream), message[..^1], retain: false);
        }

        if (pipelineEvent.Kind is PipelineEventKind.CameraLost or PipelineEventKind.CameraRecovered)
        {
            SetStreamOnline(stream, pipelineEvent.Kind == PipelineEventKind.CameraRecovered);
        }
    }

    /// <summary>Label states (ON/OFF, retained) on change, the label set in <c>change</c> mode, and the stream online at its first frame.</summary>
    public void OnFrame(in FrameReport report)
    {
        var lane = messages.LaneIndex(report.Stream, report.Model);
        if (lane < 0)
        {
            return;
        }

        var stream = messages.StreamOfLane(lane);
        if (!Volatile.Read(ref availabilitySet[stream]))
        {
            SetStreamOnline(stream, online: true);
        }

        if (report.Outcome is not (FrameOutcome.Published or FrameOutcome.PublishedLate) || report.Labels is not { } decoded)
        {
            return;
        }

        var states = labelStates[lane];
        foreach (var label in decoded.TurnedOn)
        {
            if (label < states.Length)
            {
                states[label] = true;
                outbox.Enqueue(messages.LabelTopic(lane, label), MqttMessageConverter.LabelState(on: true), retain: true);
            }
        }

        foreach (var label in decoded.TurnedOff)
        {
            if (label < states.Length)
            {
                states[label] = false;
                outbox.Enqueue(messages.LabelTopic(lane, label), MqttMessageConverter.LabelState(on: false), retain: true);
            }
        }

        if (settings.Labels == "change" && lastLabelSetLength[lane] > 0)
        {
            var now = time.GetTimestamp();
            var heartbeatDue = time.GetElapsedTime(lastLabelSetPublishedAt[lane], now).TotalSeconds >= settings.HeartbeatSeconds;
            if (decoded.TurnedOnCount + decoded.TurnedOffCount > 0 || heartbeatDue || lastLabelSetPublishedAt[lane] == 0)
            {
                outbox.Enqueue(messages.LabelsTopic(lane), lastLabelSet[lane].AsSpan(0, lastLabelSetLength[lane]), retain: false);
                lastLabelSetPublishedAt[lane] = now;
            }
        }
    }

    /// <summary>
    /// A stream left the run: its availability says <c>offline</c> (retained) until it joins again. Only the streams
    /// configured at start have topics; others are not published.
    /// </summary>
    public void StreamRemoved(string stream)
    {
        var index = messages.StreamIndex(stream);
        if (index >= 0)
        {
            SetStreamOnline(index, online: false);
        }
    }

    /// <summary>A stream configured at start joined the run again: its next frame says it is <c>online</c>.</summary>
    public void StreamAdded(string stream)
    {
        var index = messages.StreamIndex(stream);
        if (index >= 0)
        {
            lock (availabilityGate)
            {
                Volatile.Write(ref availabilitySet[index], false);
            }
        }
    }

    /// <summary>
    /// Stops sending: says every stream <c>offline</c>, drains what is queued (up to <paramref name="drainTimeout"/>),
    /// announces the device offline, disconnects.
    /// </summary>
    public void Stop(TimeSpan drainTimeout)
    {
        for (var stream = 0; stream < streamOnline.Length; stream++)
        {
            SetStreamOnline(stream, online: false);
        }

        connection.Stop(drainTimeout);
    }

    public void Dispose() => connection.Dispose();

    string IMqttAnnouncer.TopicOf(int outboxTopic) => messages.TopicOf(outboxTopic);

    IEnumerable<MqttOutgoingMessage> IMqttAnnouncer.Announcement() =>
        messages.Announcement(availability, stream => Volatile.Read(ref streamOnline[stream]) == 1, (lane, label) => labelStates[lane][label]);

    private void PublishLabelSet(int lane, ReadOnlySpan<byte> message)
    {
        var trimmed = message.Length > 0 && message[^1] == (byte)'\n' ? message[..^1] : message;
        if (settings.Labels == "every")
        {
            outbox.Enqueue(messages.LabelsTopic(lane), trimmed, retain: false);
            return;
        }

        if (trimmed.Length > lastLabelSet[lane].Length)
        {
            lastLabelSet[lane] = new byte[trimmed.Length * 2]; // once, for unusually large messages
        }

        trimmed.CopyTo(lastLabelSet[lane]);
        lastLabelSetLength[lane] = trimmed.Length;
    }

    /// <summary>Queues the stream's availability when it changes; frames and camera events may race, hence the lock (rare: changes only).</summary>
    private void SetStreamOnline(int stream, bool online)
    {
        lock (availabilityGate)
        {
            var state = online ? 1 : 0;
            Volatile.Write(ref availabilitySet[stream], true);

            if (Volatile.Read(ref streamOnline[stream]) == state)
            {
                return;
            }

            Volatile.Write(ref streamOnline[stream], state);
            outbox.Enqueue(messages.StreamAvailabilityTopic(stream), online ? "online"u8 : "offline"u8, retain: true);
        }
    }

    MqttOutgoingMessage? IMqttAnnouncer.Stats() => stats is null ? null : messages.Stats(stats());
}
