using MQTTnet;

namespace Edge.Testing;

/// <summary>
/// A subscriber that records every message on a topic filter, in arrival order, and reconnects when the broker returns;
/// with <c>persistentSession</c> the broker keeps its QoS 1 subscription and queues messages while it is away.
/// </summary>
internal sealed class MqttRecorder : IDisposable
{
    private readonly IMqttClient client = new MqttClientFactory().CreateMqttClient();
    private readonly List<(string Topic, string Payload, bool Retained)> messages = [];
    private readonly MqttClientOptions options;
    private readonly string filter;
    private readonly CancellationTokenSource stop = new();
    private readonly Task keeper;

    public MqttRecorder(int port, string filter, bool persistentSession = false)
    {
        this.filter = filter;
        options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("recorder-" + Guid.NewGuid().ToString("N")[..8]).WithCleanSession(!persistentSession).Build();
        client.ApplicationMessageReceivedAsync += e =>
        {
            lock (messages)
            {
                messages.Add((e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString(), e.ApplicationMessage.Retain));
            }

            return Task.CompletedTask;
        };
        keeper = Task.Run(KeepConnected);
        if (!SpinWait.SpinUntil(() => client.IsConnected, TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException("the recorder could not connect");
        }

        Thread.Sleep(200); // let the subscription settle
    }

    public IReadOnlyList<(string Topic, string Payload, bool Retained)> Messages
    {
        get
        {
            lock (messages)
            {
                return [.. messages];
            }
        }
    }

    public IReadOnlyList<string> Payloads(string topicSuffix) => [.. Messages.Where(m => m.Topic.EndsWith(topicSuffix, StringComparison.Ordinal)).Select(m => m.Payload)];

    public bool WaitFor(Func<IReadOnlyList<(string Topic, string Payload, bool Retained)>, bool> condition, TimeSpan timeout) =>
        SpinWait.SpinUntil(() => condition(Messages), timeout);

    public void Dispose()
    {
        stop.Cancel();
        keeper.Wait(TimeSpan.FromSeconds(5));
        client.Dispose();
    }

    private async Task KeepConnected()
    {
        while (!stop.IsCancellationRequested)
        {
            if (!client.IsConnected)
            {
                try
                {
                    await client.ConnectAsync(options, stop.Token);
                    await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(filter).WithAtLeastOnceQoS()).Build(), stop.Token);
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    // The broker is away (a test killed it): try again shortly.
                }
            }

            try
            {
                await Task.Delay(100, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
