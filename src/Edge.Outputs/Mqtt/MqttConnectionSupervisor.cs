using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Edge.Outputs.Mqtt;

/// <summary>
/// Owns the connection on its own task: connects (with back-off, on the given <see cref="TimeProvider"/>), sends the
/// announcement after every (re)connect, the periodic stats, and then the outbox; keeps the status and the counters;
/// drains and announces <c>offline</c> at stop. A broker that is away, slow or refusing costs dropped messages (counted),
/// never frame time. A QoS 1 message is at-least-once across a broker loss: the one in flight when the connection dies
/// is sent again after the reconnect (the broker may see it twice).
/// </summary>
internal sealed partial class MqttConnectionSupervisor : IDisposable
{
    private const int MaxAttempts = 3;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // How long the loop waits for a message before it looks at the connection and the stats clock again.
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(10);

    private readonly MqttBrokerClient client;
    private readonly MqttOutbox outbox;
    private readonly IMqttAnnouncer announcer;
    private readonly TimeSpan statsInterval;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly CancellationTokenSource stopping = new();
    private Task? loop;
    private long published;
    private long failed;
    private long undelivered;
    private long reconnects;
    private volatile string status = "not connected yet";

    public MqttConnectionSupervisor(MqttBrokerClient client, MqttOutbox outbox, IMqttAnnouncer announcer, TimeSpan statsInterval, ILogger logger, TimeProvider time)
    {
        this.client = client;
        this.outbox = outbox;
        this.announcer = announcer;
        this.statsInterval = statsInterval;
        this.logger = logger;
        this.time = time;
    }

    public long Published => Interlocked.Read(ref published);

    public long Failed => Interlocked.Read(ref failed);

    public long Undelivered => Interlocked.Read(ref undelivered);

    public long Reconnects => Interlocked.Read(ref reconnects);

    public bool IsConnected => client.IsConnected;

    public string Status => status;

    public void Start() => loop = Task.Run(() => Supervise(stopping.Token));

    /// <summary>Drains what is queued (up to <paramref name="drainTimeout"/>), stops the loop, announces offline, disconnects.</summary>
    public void Stop(TimeSpan drainTimeout)
    {
        var deadline = time.GetTimestamp() + (long)(drainTimeout.TotalSeconds * time.TimestampFrequency);
        while (client.IsConnected && outbox.Backlog > 0 && time.GetTimestamp() < deadline)
        {
            Task.Delay(DrainPoll, time).Wait();
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
                client.PublishAsync(client.OfflineMessage, CancellationToken.None).Wait(TimeSpan.FromSeconds(2));
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
        var backoff = FirstBackoff;
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
                    LogLost(client.Endpoint.ToString());
                    status = "connection lost; reconnecting";
                    wasConnected = false;
                }

                if (!await TryConnect(cancellationToken))
                {
                    await Delay(backoff, cancellationToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    continue;
                }

                backoff = FirstBackoff;
                wasConnected = true;
                foreach (var message in announcer.Announcement())
                {
                    await Send(message, cancellationToken);
                }
            }

            if (time.GetTimestamp() >= nextStats && announcer.Stats() is { } stats)
            {
                await Send(stats, cancellationToken);
                nextStats = time.GetTimestamp() + (long)(statsInterval.TotalSeconds * time.TimestampFrequency);
            }

            if (pending is null && outbox.TryTake(IdleWait, time, cancellationToken, out var taken))
            {
                pending = taken;
                attempts = 0;
            }

            if (pending is not { } queued)
            {
                continue;
            }

            var outcome = await Send(new MqttOutgoingMessage(announcer.TopicOf(queued.Topic), queued.Payload, queued.Retain), cancellationToken);
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
            var result = await client.ConnectAsync(cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                Fail($"broker refused the connection: {result.ResultCode}");
                return false;
            }

            if (Interlocked.Increment(ref reconnects) > 1)
            {
                LogReconnected(client.Endpoint.ToString());
            }
            else
            {
                LogConnected(client.Endpoint.ToString(), client.ClientId);
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

    private async Task<SendOutcome> Send(MqttOutgoingMessage message, CancellationToken cancellationToken)
    {
        try
        {
            if (!await client.PublishAsync(message, cancellationToken))
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

    private void Fail(string reason)
    {
        if (status != reason)
        {
            LogConnectFailed(client.Endpoint.ToString(), reason);
        }

        status = reason;
    }

    private async Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
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
