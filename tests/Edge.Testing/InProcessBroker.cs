using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Edge.Testing;

/// <summary>
/// An MQTTnet server inside the test process on a free loopback port (the shape of MQTTnet's own
/// Tests/Mockups/TestEnvironment): it records every message a client publishes, in arrival order, and lets a test await
/// a condition on them instead of sleeping. No subscriber is needed, so nothing races a subscription.
/// </summary>
internal sealed class InProcessBroker : IAsyncDisposable
{
    private static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(20);

    private readonly MqttServer server;
    private readonly List<ReceivedMessage> messages = [];
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int connectionAttempts;

    private InProcessBroker(int port)
    {
        Port = port;
        var factory = new MqttServerFactory();
        server = factory.CreateMqttServer(factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port)
            .Build());
        server.ValidatingConnectionAsync += e =>
        {
            var attempt = Interlocked.Increment(ref connectionAttempts);
            if (!AcceptConnection(attempt))
            {
                e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            }

            Changed();
            return Task.CompletedTask;
        };
        server.InterceptingPublishAsync += e =>
        {
            lock (messages)
            {
                messages.Add(new ReceivedMessage(e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString(), e.ApplicationMessage.Retain));
            }

            Changed();
            return Task.CompletedTask;
        };
    }

    public int Port { get; }

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    /// <summary>Whether the broker accepts connection attempt number n (from 1); every one by default.</summary>
    public Func<int, bool> AcceptConnection { get; set; } = _ => true;

    public int ConnectionAttempts => Volatile.Read(ref connectionAttempts);

    public IReadOnlyList<ReceivedMessage> Messages
    {
        get
        {
            lock (messages)
            {
                return [.. messages];
            }
        }
    }

    public static async Task<InProcessBroker> StartAsync()
    {
        var broker = new InProcessBroker(FreePort());
        await broker.server.StartAsync();
        return broker;
    }

    /// <summary>A loopback address where nothing listens: connections are refused at once.</summary>
    public static string UnreachableUri() => $"mqtt://127.0.0.1:{FreePort()}";

    public IReadOnlyList<string> Payloads(string topic) => [.. Messages.Where(m => m.Topic == topic).Select(m => m.Payload)];

    /// <summary>Returns once <paramref name="condition"/> holds for the messages so far; fails naming <paramref name="what"/> after the patience runs out.</summary>
    public async Task WaitUntil(Func<IReadOnlyList<ReceivedMessage>, bool> condition, string what, TimeSpan? patience = null)
    {
        using var expired = new CancellationTokenSource(patience ?? DefaultPatience);
        while (true)
        {
            Task next;
            lock (messages)
            {
                next = changed.Task;
                if (condition(messages))
                {
                    return;
                }
            }

            try
            {
                await next.WaitAsync(expired.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{what}: not within {(patience ?? DefaultPatience).TotalSeconds} s; {Messages.Count} messages, {ConnectionAttempts} connection attempts");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await server.StopAsync();
        server.Dispose();
    }

    private void Changed()
    {
        TaskCompletionSource previous;
        lock (messages)
        {
            previous = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal sealed record ReceivedMessage(string Topic, string Payload, bool Retained);
