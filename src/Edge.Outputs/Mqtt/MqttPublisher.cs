using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Edge.Runtime.Events;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Runtime.Publishing.Mqtt;

/// <summary>
/// Publishes label sets, label states, events and periodic stats to an MQTT broker under
/// <c>&lt;prefix&gt;/&lt;device&gt;/…</c> (docs/mqtt.md). The frame thread only copies messages into a bounded
/// <see cref="MqttOutbox"/>; a supervising loop on its own task connects (with back-off), announces
/// <c>available=online</c> (the last will says <c>offline</c>), republishes retained state after every reconnect, and
/// drains the outbox. A broker that is away, slow or refusing costs dropped messages (counted), never frame time.
/// A QoS 1 message is at-least-once across a broker loss: the one in flight when the connection dies is sent again
/// after the reconnect (the broker may see it twice).
/// </summary>
public sealed partial class MqttPublisher : IDisposable
{
    private const int LabelsTopic = 0;
    private const int EventsTopic = 1;
    private const int AvailabilityTopic = 2;
    private const int FirstLabelTopic = 3;
    private const int MaxAttempts = 3;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly string SoftwareVersion = typeof(MqttPublisher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
    private static readonly byte[] On = "ON"u8.ToArray();
    private static readonly byte[] Off = "OFF"u8.ToArray();

    private readonly MqttSettings settings;
    private readonly MqttEndpoint endpoint;
    private readonly string device;
    private readonly IReadOnlyList<string> labels;
    private readonly string? password;
    private readonly string? modelName;
    private readonly string clientId;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly Func<string>? stats;
    private readonly string[] topics;
    private readonly string availableTopic;
    private readonly string statsTopic;
    private readonly MqttOutbox outbox;
    private readonly EventJsonWriter eventWriter;
    private readonly bool[] labelStates;
    private byte[] lastLabelSet = new byte[16384];
    private readonly CancellationTokenSource stopping = new();
    private readonly IMqttClient client;
    private int lastLabelSetLength;
    private long lastLabelSetPublishedAt;
    private Task? loop;
    private long published;
    private long failed;
    private long undelivered;
    private long reconnects;
    private volatile string status = "not connected yet";
    private volatile string availability = "online";

    /// <param name="modelName">The model bundle's name, announced as the device model in Home Assistant discovery.</param>
    /// <exception cref="MqttConfigurationException">The device, a label or a prefix cannot be part of an MQTT topic.</exception>
    public MqttPublisher(MqttSettings settings, MqttEndpoint endpoint, string device, IReadOnlyList<string> labels, string? password, ILogger logger, TimeProvider time, Func<string>? stats = null, string? modelName = null)
    {
        settings.Validate();
        this.settings = settings;
        this.endpoint = endpoint;
        this.device = device;
        this.labels = labels;
        this.password = password;
        this.logger = logger;
        this.time = time;
        this.stats = stats;
        this.modelName = modelName;
        var root = $"{MqttTopics.Prefix("mqtt.prefix", settings.Prefix)}/{MqttTopics.Segment("device", device)}";
        availableTopic = $"{root}/available";
        topics = [$"{root}/labels", $"{root}/events", availableTopic, .. labels.Select(label => $"{root}/label/{MqttTopics.Label(label)}")];

        // Unique per instance: two runs with the same device (the host name by default) would otherwise take each
        // other's session over and over.
        clientId = $"edge-{HomeAssistantId.From(device)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        statsTopic = $"{root}/stats";
        outbox = new MqttOutbox(settings.Outbox);
        eventWriter = new EventJsonWriter(device);
        labelStates = new bool[labels.Count];
        client = new MqttClientFactory().CreateMqttClient();
    }

    /// <summary>Messages the broker accepted.</summary>
    public long Published => Interlocked.Read(ref published);

    /// <summary>Messages dropped because the outbox was full (the broker away or slow).</summary>
    public long Dropped => outbox.Dropped;

    public long Reconnects => Interlocked.Read(ref reconnects);

    /// <summary>Messages given up: refused by the broker, or failing <see cref="MaxAttempts"/> times across reconnects.</summary>
    public long Failed => Interlocked.Read(ref failed);

    /// <summary>Messages never acknowledged because the run stopped first (queued, or in flight when the drain time ran out).</summary>
    public long Undelivered => Interlocked.Read(ref undelivered);

    /// <summary>The MQTT client id: <c>edge-&lt;device&gt;-&lt;random&gt;</c>, unique per instance.</summary>
    public string ClientId => clientId;

    public bool IsConnected => client.IsConnected;

    /// <summary>"connected", or what went wrong last (never a secret).</summary>
    public string Status => status;

    public string AvailableTopic => availableTopic;

    /// <summary>
    /// What <c>available</c> says while connected: <c>online</c>, or a start-up state such as <c>starting</c> while a
    /// TensorRT engine builds (which can take minutes); retained, and repeated after every reconnect.
    /// </summary>
    public void SetAvailability(string state)
    {
        availability = state;
        outbox.Enqueue(AvailabilityTopic, Encoding.UTF8.GetBytes(state), retain: true);
    }

    public void Start() => loop = Task.Run(() => Supervise(stopping.Token));

    /// <summary>The label set (frame thread): queued now in <c>every</c> mode; in <c>change</c> mode kept for <see cref="OnFrame"/> to decide.</summary>
    public void Publish(ReadOnlySpan<byte> message)
    {
        var trimmed = message.Length > 0 && message[^1] == (byte)'\n' ? message[..^1] : message;
        if (settings.Labels == "every")
        {
            outbox.Enqueue(LabelsTopic, trimmed, retain: false);
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
            outbox.Enqueue(EventsTopic, message[..^1], retain: false);
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
            outbox.Enqueue(FirstLabelTopic + label, On, retain: true);
        }

        foreach (var label in decoded.TurnedOff)
        {
            labelStates[label] = false;
            outbox.Enqueue(FirstLabelTopic + label, Off, retain: true);
        }

        if (settings.Labels == "change" && lastLabelSetLength > 0)
        {
            var now = time.GetTimestamp();
            var heartbeatDue = time.GetElapsedTime(lastLabelSetPublishedAt, now).TotalSeconds >= settings.HeartbeatSeconds;
            if (decoded.TurnedOnCount + decoded.TurnedOffCount > 0 || heartbeatDue || lastLabelSetPublishedAt == 0)
            {
                outbox.Enqueue(LabelsTopic, lastLabelSet.AsSpan(0, lastLabelSetLength), retain: false);
                lastLabelSetPublishedAt = now;
            }
        }
    }

    /// <summary>Stops the loop: drains what is queued (up to <paramref name="drainTimeout"/>), announces offline, disconnects.</summary>
    public void Stop(TimeSpan drainTimeout)
    {
        var deadline = time.GetTimestamp() + (long)(drainTimeout.TotalSeconds * time.TimestampFrequency);
        while (client.IsConnected && outbox.Backlog > 0 && time.GetTimestamp() < deadline)
        {
            Thread.Sleep(10);
        }

        stopping.Cancel();
        try
        {
            loop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        Interlocked.Add(ref undelivered, outbox.Clear());
        if (client.IsConnected)
        {
            try
            {
                client.PublishAsync(Message(availableTopic, "offline"u8.ToArray(), retain: true)).Wait(TimeSpan.FromSeconds(2));
                client.DisconnectAsync().Wait(TimeSpan.FromSeconds(2));
            }
            catch (AggregateException e)
            {
                LogStopFailed(e.InnerException?.Message ?? e.Message);
            }
        }
    }

    public void Dispose()
    {
        if (!stopping.IsCancellationRequested)
        {
            Stop(TimeSpan.FromSeconds(2));
        }

        client.Dispose();
        stopping.Dispose();
    }

    private async Task Supervise(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(0.5);
        var nextStats = time.GetTimestamp();
        var wasConnected = false;
        (int Topic, byte[] Payload, bool Retain)? pending = null;
        var attempts = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!client.IsConnected)
            {
                if (wasConnected)
                {
                    LogLost(endpoint.ToString());
                    status = "connection lost; reconnecting";
                    wasConnected = false;
                }

                if (!await TryConnect(cancellationToken))
                {
                    await Delay(backoff, cancellationToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    continue;
                }

                backoff = TimeSpan.FromSeconds(0.5);
                wasConnected = true;
                await Announce(cancellationToken);
            }

            if (stats is not null && time.GetTimestamp() >= nextStats)
            {
                await Send(statsTopic, Encoding.UTF8.GetBytes(stats()), retain: false, cancellationToken);
                nextStats = time.GetTimestamp() + (long)(settings.StatsSeconds * time.TimestampFrequency);
            }

            if (pending is null && outbox.TryTake(TimeSpan.FromMilliseconds(200), cancellationToken, out var taken))
            {
                pending = taken;
                attempts = 0;
            }

            if (pending is not { } message)
            {
                continue;
            }

            var outcome = await Send(topics[message.Topic], message.Payload, message.Retain, cancellationToken);
            if (outcome == SendOutcome.Interrupted && ++attempts < MaxAttempts)
            {
                continue; // kept: sent again once the connection is back
            }

            if (outcome == SendOutcome.Interrupted)
            {
                Interlocked.Increment(ref cancellationToken.IsCancellationRequested ? ref undelivered : ref failed);
            }

            pending = null;
            outbox.Settle();
        }

        if (pending is not null)
        {
            Interlocked.Increment(ref undelivered); // stopped while it was in flight or waiting for the broker
            outbox.Settle();
        }
    }

    private async Task<bool> TryConnect(CancellationToken cancellationToken)
    {
        try
        {
            var result = await client.ConnectAsync(Options(), cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                Fail($"broker refused the connection: {result.ResultCode}");
                return false;
            }

            if (Interlocked.Increment(ref reconnects) > 1)
            {
                LogReconnected(endpoint.ToString());
            }
            else
            {
                LogConnected(endpoint.ToString(), clientId);
            }

            status = "connected";
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e)
        {
            // Whatever the broker or the network does, the supervisor must live on and retry.
            Fail(e.Message);
            return false;
        }
    }

    /// <summary>After every (re)connect: online, discovery, and the retained label states the broker may have lost.</summary>
    private async Task Announce(CancellationToken cancellationToken)
    {
        await Send(availableTopic, Encoding.UTF8.GetBytes(availability), retain: true, cancellationToken);
        if (settings.HomeAssistantDiscovery)
        {
            var node = HomeAssistantId.From(device);
            var discoveryPrefix = MqttTopics.Prefix("mqtt.discovery_prefix", settings.DiscoveryPrefix);
            for (var i = 0; i < labels.Count; i++)
            {
                await Send($"{discoveryPrefix}/binary_sensor/{node}/{HomeAssistantId.From(labels[i])}/config", DiscoveryConfig(i, node), retain: true, cancellationToken);
            }
        }

        for (var i = 0; i < labels.Count; i++)
        {
            await Send(topics[FirstLabelTopic + i], labelStates[i] ? On : Off, retain: true, cancellationToken);
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
            writer.WriteString("state_topic", topics[FirstLabelTopic + label]);
            writer.WriteString("availability_topic", availableTopic);
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

    private async Task<SendOutcome> Send(string topic, byte[] payload, bool retain, CancellationToken cancellationToken)
    {
        try
        {
            var result = await client.PublishAsync(Message(topic, payload, retain), cancellationToken);
            if (!result.IsSuccess)
            {
                Interlocked.Increment(ref failed); // the broker answered and said no: sending again would not help
                return SendOutcome.Refused;
            }

            Interlocked.Increment(ref published);
            return SendOutcome.Acknowledged;
        }
        catch (Exception)
        {
            // The connection dropped, timed out or the run is stopping: not acknowledged, so the caller may send it
            // again after the reconnect (the check at the top of the loop reconnects).
            return SendOutcome.Interrupted;
        }
    }

    private MqttApplicationMessage Message(string topic, byte[] payload, bool retain) => new MqttApplicationMessageBuilder()
        .WithTopic(topic)
        .WithPayload(payload)
        .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)settings.Qos)
        .WithRetainFlag(retain)
        .Build();

    private MqttClientOptions Options()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, endpoint.Port)
            .WithClientId(clientId)
            .WithCleanSession()
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(5))
            .WithTimeout(TimeSpan.FromSeconds(5))
            .WithWillTopic(availableTopic)
            .WithWillPayload("offline"u8.ToArray())
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (endpoint.Username is { } username)
        {
            builder.WithCredentials(username, password ?? string.Empty);
        }

        if (endpoint.Tls)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls();
                if (settings.CaFile is { } ca)
                {
                    var authority = X509CertificateLoader.LoadCertificateFromFile(ca);
                    tls.WithTrustChain([authority]);
                }

                if (settings.CertFile is { } cert && settings.KeyFile is { } key)
                {
                    tls.WithClientCertificates([X509Certificate2.CreateFromPemFile(cert, key)]);
                }
            });
        }

        return builder.Build();
    }

    private void Fail(string reason)
    {
        if (status != reason)
        {
            LogConnectFailed(endpoint.ToString(), reason);
        }

        status = reason;
    }

    private static async Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private enum SendOutcome
    {
        Acknowledged,
        Refused,
        Interrupted,
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "mqtt: connected to {Endpoint} as client {ClientId}")]
    private partial void LogConnected(string endpoint, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "mqtt: reconnected to {Endpoint}; retained state republished")]
    private partial void LogReconnected(string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mqtt: connection to {Endpoint} lost; frames keep going, messages wait in the outbox")]
    private partial void LogLost(string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mqtt: cannot connect to {Endpoint}: {Reason}; retrying with back-off")]
    private partial void LogConnectFailed(string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mqtt: clean shutdown incomplete: {Reason}")]
    private partial void LogStopFailed(string reason);
}
