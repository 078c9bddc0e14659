using System.Text;
using System.Text.Json;
using Edge.Runtime.Publishing.Mqtt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Runtime.Tests.Mqtt;

/// <summary>The publisher on its own against a real Mosquitto broker: draining at stop, broker loss, ids, discovery.</summary>
[Collection(nameof(MqttCollection))]
public sealed class MqttPublisherTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly string[] Labels = ["t-shirt", "trouser"];

    [Fact]
    public void Stop_RightAfterABurstOfMessages_DeliversEveryOneOfThem()
    {
        using var broker = new MosquittoBroker().Start();
        using var recorder = new MqttRecorder(broker.Port, "edge/rover/labels");
        using var publisher = Publisher(broker, "rover", outbox: 1000);
        publisher.Start();
        Assert.True(SpinWait.SpinUntil(() => publisher.IsConnected, Patience));

        for (var frame = 1; frame <= 500; frame++)
        {
            publisher.Publish(Frame(frame));
        }

        publisher.Stop(TimeSpan.FromSeconds(10));

        Assert.Equal(0, publisher.Undelivered);
        Assert.True(recorder.WaitFor(m => m.Count == 500, Patience), $"{recorder.Messages.Count} of 500 arrived");
        Assert.Equal(Enumerable.Range(1, 500), recorder.Messages.Select(m => FrameOf(m.Payload)));
    }

    [Fact]
    public void Stop_BrokerUnreachable_CountsEveryMessageThatWasNotAcknowledged()
    {
        using var broker = new MosquittoBroker(); // never started
        using var publisher = Publisher(broker, "rover", outbox: 100);
        publisher.Start();
        for (var frame = 1; frame <= 7; frame++)
        {
            publisher.Publish(Frame(frame));
        }

        publisher.Stop(TimeSpan.FromMilliseconds(200));

        Assert.Equal(0, publisher.Published);
        Assert.Equal(7, publisher.Undelivered);
    }

    [Fact]
    public void BrokerStoppedAndRestarted_TheMessageInFlight_IsSentAgain_NoFrameLost()
    {
        using var broker = new MosquittoBroker(persistent: true).Start();
        using var recorder = new MqttRecorder(broker.Port, "edge/rover/labels", persistentSession: true);
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

    [Fact]
    public void TwoInstancesWithTheSameDevice_BothStayConnected()
    {
        using var broker = new MosquittoBroker().Start();
        using var recorder = new MqttRecorder(broker.Port, "edge/twin/labels");
        using var first = Publisher(broker, "twin", outbox: 1000);
        using var second = Publisher(broker, "twin", outbox: 1000);
        first.Start();
        second.Start();
        Assert.True(SpinWait.SpinUntil(() => first.IsConnected && second.IsConnected, Patience));

        // Each sends in turn: with one client id the broker would hand the session back and forth, dropping connections.
        for (var frame = 1; frame <= 100; frame++)
        {
            (frame % 2 == 0 ? first : second).Publish(Frame(frame));
        }

        Assert.True(recorder.WaitFor(m => m.Count >= 100, Patience), $"{recorder.Messages.Count} of 100 arrived");
        first.Stop(TimeSpan.FromSeconds(5));
        second.Stop(TimeSpan.FromSeconds(5));
        Assert.Equal(1, first.Reconnects);
        Assert.Equal(1, second.Reconnects);
    }

    [Theory]
    [InlineData("jetson-01.local")]
    [InlineData("my rover")]
    [InlineData("kamera-süd")]
    public void Discovery_DeviceIdIllegalForHomeAssistant_IsSanitised_HumanNameKept(string device)
    {
        using var broker = new MosquittoBroker().Start();
        using var recorder = new MqttRecorder(broker.Port, "homeassistant/#");
        using var publisher = Publisher(broker, device, outbox: 100, discovery: true);
        publisher.Start();

        Assert.True(recorder.WaitFor(m => m.Count == Labels.Length, Patience), $"{recorder.Messages.Count} discovery messages");
        publisher.Stop(TimeSpan.FromSeconds(5));
        var node = HomeAssistantId.From(device);
        foreach (var (topic, payload, _) in recorder.Messages)
        {
            Assert.Matches("^homeassistant/binary_sensor/[a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+/config$", topic);
            Assert.StartsWith($"homeassistant/binary_sensor/{node}/", topic, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(payload);
            var root = json.RootElement;
            Assert.Matches("^[a-zA-Z0-9_-]+$", root.GetProperty("unique_id").GetString()!);
            Assert.Contains(root.GetProperty("name").GetString(), Labels);
            var deviceJson = root.GetProperty("device");
            Assert.Equal(device, deviceJson.GetProperty("name").GetString());
            Assert.Equal("tiny-multilabel", deviceJson.GetProperty("model").GetString());
            Assert.False(string.IsNullOrEmpty(deviceJson.GetProperty("sw_version").GetString()));
            Assert.Equal("edge_" + node, deviceJson.GetProperty("identifiers")[0].GetString());
            var origin = root.GetProperty("origin");
            Assert.Equal("edge", origin.GetProperty("name").GetString());
            Assert.Equal(deviceJson.GetProperty("sw_version").GetString(), origin.GetProperty("sw_version").GetString());
        }
    }

    [Theory]
    [InlineData("dev#1")]
    [InlineData("dev+1")]
    [InlineData("lab/rover")]
    public void Constructor_DeviceIllegalInATopic_IsRefusedNamingTheKey(string device)
    {
        using var broker = new MosquittoBroker();

        var error = Assert.Throws<MqttConfigurationException>(() => Publisher(broker, device, outbox: 10));

        Assert.Contains($"'device' is '{device}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_LabelIllegalInATopic_IsRefusedNamingTheLabel()
    {
        using var broker = new MosquittoBroker();
        var settings = new MqttSettings { Uri = broker.Uri };

        var error = Assert.Throws<MqttConfigurationException>(() =>
            new MqttPublisher(new MqttPublisherOptions { Settings = settings, Endpoint = MqttEndpoint.Parse(broker.Uri), Device = "rover", Labels = ["t-shirt", "any+thing"] }, NullLogger.Instance, TimeProvider.System));

        Assert.Contains("label is 'any+thing'", error.Message, StringComparison.Ordinal);
    }

    private static MqttPublisher Publisher(MosquittoBroker broker, string device, int outbox, bool discovery = false, ILogger? logger = null) =>
        new(new MqttPublisherOptions
        {
            Settings = new MqttSettings { Uri = broker.Uri, Outbox = outbox, HomeAssistantDiscovery = discovery },
            Endpoint = MqttEndpoint.Parse(broker.Uri),
            Device = device,
            Labels = Labels,
            ModelName = "tiny-multilabel",
        }, logger ?? NullLogger.Instance, TimeProvider.System);

    private static byte[] Frame(int frame) => Encoding.UTF8.GetBytes($"{{\"frame\":{frame}}}\n");

    private static int FrameOf(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.GetProperty("frame").GetInt32();
    }
}
