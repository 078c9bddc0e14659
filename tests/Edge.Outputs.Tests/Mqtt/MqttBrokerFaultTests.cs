using System.Text;
using System.Text.Json;
using Edge.Outputs.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Outputs.Tests.Mqtt;

/// <summary>The publisher on its own against a real Mosquitto broker that a test stops and restarts.</summary>
[Collection(nameof(MqttCollection))]
[Trait("Category", "Integration")]
public sealed class MqttBrokerFaultTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly string[] Labels = ["t-shirt", "trouser"];

    [Fact]
    public void BrokerStoppedAndRestarted_TheMessageInFlight_IsSentAgain_NoFrameLost()
    {
        using var broker = new MosquittoBroker(persistent: true).Start();
        using var recorder = new MqttRecorder(broker.Port, "edge/rover/cam0/labels", persistentSession: true);
        using var publisher = Publisher(broker, "rover", outbox: 100_000);
        publisher.Start();
        Assert.True(SpinWait.SpinUntil(() => publisher.IsConnected, Patience));

        // A producer faster than the broker round trip, so a QoS 1 publish is always awaiting its acknowledgement.
        var frame = 0;
        void Produce(int until)
        {
            while (frame < until)
            {
                publisher.Publish(Frame(++frame));
            }
        }

        Produce(2000);
        Assert.True(recorder.WaitFor(m => m.Count > 200, Patience));
        broker.Kill(gracefully: true); // the broker keeps the recorder's session (persistence), not the in-flight publish
        Assert.True(SpinWait.SpinUntil(() => !publisher.IsConnected, Patience));
        Produce(2500);
        broker.Start();
        Assert.True(SpinWait.SpinUntil(() => publisher.IsConnected, Patience));
        Produce(3000);
        publisher.Stop(TimeSpan.FromSeconds(15));

        Assert.True(recorder.WaitFor(m => m.Select(x => FrameOf(x.Payload)).Distinct().Count() == 3000, Patience),
            $"{recorder.Messages.Select(x => FrameOf(x.Payload)).Distinct().Count()} of 3000 frames arrived; {publisher.Failed} failed, {publisher.Undelivered} undelivered");
        Assert.Equal(0, publisher.Undelivered);
        Assert.Equal(0, publisher.Dropped);
    }

    private static MqttPublisher Publisher(MosquittoBroker broker, string device, int outbox) =>
        new(new MqttPublisherOptions
        {
            Settings = new MqttSettings { Uri = broker.Uri, Outbox = outbox },
            Endpoint = MqttEndpoint.Parse(broker.Uri),
            Device = device,
            Labels = Labels,
        }, NullLogger.Instance, TimeProvider.System);

    private static byte[] Frame(int frame) => Encoding.UTF8.GetBytes($"{{\"frame\":{frame}}}\n");

    private static int FrameOf(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.GetProperty("frame").GetInt32();
    }
}
