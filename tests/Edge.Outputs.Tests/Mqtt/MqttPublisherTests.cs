using System.Text;
using System.Text.Json;
using Edge.Outputs.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Outputs.Tests.Mqtt;

/// <summary>The publisher on its own against an in-process broker: topics, payloads, discovery, counters, ordering, timing.</summary>
public sealed class MqttPublisherTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly string[] Labels = ["t-shirt", "trouser"];

    [Fact]
    public async Task Stop_RightAfterABurstOfMessages_DeliversEveryOneOfThemInOrder()
    {
        await using var broker = await InProcessBroker.StartAsync();
        using var publisher = Publisher(broker.Uri, "rover", outbox: 1000);
        publisher.Start();
        await broker.WaitUntil(Online("rover"), "available=online");

        for (var frame = 1; frame <= 500; frame++)
        {
            publisher.Publish(Frame(frame));
        }

        publisher.Stop(TimeSpan.FromSeconds(10));

        // The broker records a QoS 1 message before it acknowledges it: a drained outbox means every one is recorded.
        Assert.Equal(0, publisher.Undelivered);
        Assert.Equal(Enumerable.Range(1, 500), broker.Payloads("edge/rover/cam0/labels").Select(FrameOf));
        Assert.Equal(2 + Labels.Length + 500, publisher.Published); // the announcement (device and stream availability, label states), then the label sets
        Assert.Equal(0, publisher.Dropped);
        Assert.Equal(0, publisher.Failed);
    }

    [Fact]
    public void Stop_BrokerUnreachable_CountsEveryMessageThatWasNotAcknowledged()
    {
        using var publisher = Publisher(InProcessBroker.UnreachableUri(), "rover", outbox: 100);
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
    public async Task Connect_AnnouncesAvailabilityThenEveryLabelStateRetained_BeforeTheOutbox_OfflineAtStop()
    {
        await using var broker = await InProcessBroker.StartAsync();
        using var publisher = Publisher(broker.Uri, "rover", outbox: 10);
        publisher.Publish(Frame(1));
        publisher.Start();

        await broker.WaitUntil(m => m.Any(x => x.Topic == "edge/rover/cam0/labels"), "the queued label set");
        publisher.Stop(TimeSpan.FromSeconds(5));

        Assert.Equal(
            [
                new ReceivedMessage("edge/rover/available", "online", Retained: true),
                new ReceivedMessage("edge/rover/cam0/availability", "offline", Retained: true), // no frame of it yet
                new ReceivedMessage("edge/rover/cam0/label/t-shirt", "OFF", Retained: true),
                new ReceivedMessage("edge/rover/cam0/label/trouser", "OFF", Retained: true),
                new ReceivedMessage("edge/rover/cam0/labels", "{\"frame\":1}", Retained: false),
                new ReceivedMessage("edge/rover/available", "offline", Retained: true),
            ],
            broker.Messages);
        Assert.Equal("edge/rover/available", publisher.AvailableTopic);
        Assert.Equal("connected", publisher.Status);
    }

    [Fact]
    public async Task TwoInstancesWithTheSameDevice_BothStayConnected()
    {
        await using var broker = await InProcessBroker.StartAsync();
        using var first = Publisher(broker.Uri, "twin", outbox: 1000);
        using var second = Publisher(broker.Uri, "twin", outbox: 1000);
        first.Start();
        second.Start();
        await broker.WaitUntil(m => m.Count(x => x.Topic == "edge/twin/available" && x.Payload == "online") == 2, "both online");

        // Each sends in turn: with one client id the broker would hand the session back and forth, dropping connections.
        for (var frame = 1; frame <= 100; frame++)
        {
            (frame % 2 == 0 ? first : second).Publish(Frame(frame));
        }

        await broker.WaitUntil(m => m.Count(x => x.Topic == "edge/twin/cam0/labels") == 100, "100 label sets");
        first.Stop(TimeSpan.FromSeconds(5));
        second.Stop(TimeSpan.FromSeconds(5));
        Assert.NotEqual(first.ClientId, second.ClientId);
        Assert.StartsWith("edge-twin-", first.ClientId, StringComparison.Ordinal);
        Assert.Equal(1, first.Reconnects);
        Assert.Equal(1, second.Reconnects);
    }

    [Theory]
    [InlineData("jetson-01.local")]
    [InlineData("my rover")]
    [InlineData("kamera-süd")]
    public async Task Discovery_DeviceIdIllegalForHomeAssistant_IsSanitised_HumanNameKept(string device)
    {
        await using var broker = await InProcessBroker.StartAsync();
        using var publisher = Publisher(broker.Uri, device, outbox: 100, discovery: true);
        publisher.Start();

        await broker.WaitUntil(m => m.Count(x => x.Topic.StartsWith("homeassistant/", StringComparison.Ordinal)) == Labels.Length, "discovery messages");
        publisher.Stop(TimeSpan.FromSeconds(5));
        var node = HomeAssistantId.From(device);
        var discovery = broker.Messages.Where(m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal)).ToList();
        Assert.Equal(Labels.Length, discovery.Count);
        foreach (var (topic, payload, retained) in discovery)
        {
            Assert.True(retained);
            Assert.Matches("^homeassistant/binary_sensor/[a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+/config$", topic);
            Assert.StartsWith($"homeassistant/binary_sensor/{node}/", topic, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(payload);
            var root = json.RootElement;
            Assert.Matches("^[a-zA-Z0-9_-]+$", root.GetProperty("unique_id").GetString()!);
            Assert.Contains(root.GetProperty("name").GetString(), Labels);
            var deviceJson = root.GetProperty("device");
            Assert.Equal($"{device} cam0", deviceJson.GetProperty("name").GetString());
            Assert.Equal("tiny-multilabel", deviceJson.GetProperty("model").GetString());
            Assert.False(string.IsNullOrEmpty(deviceJson.GetProperty("sw_version").GetString()));
            Assert.Equal($"edge_{node}_cam0", deviceJson.GetProperty("identifiers")[0].GetString());
            Assert.Equal("edge_" + node, deviceJson.GetProperty("via_device").GetString());
            var origin = root.GetProperty("origin");
            Assert.Equal("edge", origin.GetProperty("name").GetString());
            Assert.Equal(deviceJson.GetProperty("sw_version").GetString(), origin.GetProperty("sw_version").GetString());
        }
    }

    [Fact]
    public async Task Reconnect_BrokerRefusing_BacksOffOnTheInjectedClock_DoublingFromHalfASecondToFiveSeconds()
    {
        await using var broker = await InProcessBroker.StartAsync();
        broker.AcceptConnection = attempt => attempt > 6;
        var clock = new TimerRecordingTimeProvider();
        using var publisher = Publisher(broker.Uri, "rover", outbox: 10, time: clock);
        publisher.Start();

        double[] expected = [0.5, 1, 2, 4, 5, 5];
        for (var i = 0; i < expected.Length; i++)
        {
            var backoff = await clock.TimerStarted(i, Patience);
            Assert.Equal(expected[i], backoff.TotalSeconds);
            Assert.Equal(i + 1, broker.ConnectionAttempts); // no attempt before the clock moves on
            Assert.Equal(0, publisher.Reconnects);
            clock.Advance(backoff);
        }

        await broker.WaitUntil(Online("rover"), "available=online after the seventh attempt");
        Assert.Equal(7, broker.ConnectionAttempts);
        Assert.Equal(1, publisher.Reconnects);
    }

    [Fact]
    public async Task Stats_AtConnectAndThenEveryStatsSeconds_OnTheInjectedClock()
    {
        await using var broker = await InProcessBroker.StartAsync();
        var clock = new TimerRecordingTimeProvider();
        var written = 0;
        using var publisher = Publisher(broker.Uri, "rover", outbox: 10, time: clock, stats: () => $"{{\"n\":{Interlocked.Increment(ref written)}}}");
        publisher.Start();

        await broker.WaitUntil(m => m.Any(x => x.Topic == "edge/rover/stats"), "the first stats message");
        var idleWait = await clock.TimerStarted(0, Patience); // the loop waits for the outbox, its stats clock set
        clock.Advance(TimeSpan.FromSeconds(10) - idleWait);
        await clock.TimerStarted(1, Patience); // woke once before the stats were due, and went back to waiting
        Assert.Equal(["{\"n\":1}"], broker.Payloads("edge/rover/stats"));
        clock.Advance(idleWait);

        await broker.WaitUntil(m => m.Count(x => x.Topic == "edge/rover/stats") == 2, "the second stats message");
        Assert.Equal(["{\"n\":1}", "{\"n\":2}"], broker.Payloads("edge/rover/stats"));
        Assert.All(broker.Messages.Where(m => m.Topic == "edge/rover/stats"), m => Assert.False(m.Retained));
    }

    [Theory]
    [InlineData("dev#1")]
    [InlineData("dev+1")]
    [InlineData("lab/rover")]
    public void Constructor_DeviceIllegalInATopic_IsRefusedNamingTheKey(string device)
    {
        var error = Assert.Throws<MqttConfigurationException>(() => Publisher("mqtt://127.0.0.1:1", device, outbox: 10));

        Assert.Contains($"'device' is '{device}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_LabelIllegalInATopic_IsRefusedNamingTheLabel()
    {
        var uri = "mqtt://127.0.0.1:1";
        var settings = new MqttSettings { Uri = uri };

        var error = Assert.Throws<MqttConfigurationException>(() =>
            new MqttPublisher(new MqttPublisherOptions { Settings = settings, Endpoint = MqttEndpoint.Parse(uri), Device = "rover", Labels = ["t-shirt", "any+thing"] }, NullLogger.Instance, TimeProvider.System));

        Assert.Contains("label is 'any+thing'", error.Message, StringComparison.Ordinal);
    }

    private static MqttPublisher Publisher(string uri, string device, int outbox, bool discovery = false, TimeProvider? time = null, Func<string>? stats = null) =>
        new(new MqttPublisherOptions
        {
            Settings = new MqttSettings { Uri = uri, Outbox = outbox, HomeAssistantDiscovery = discovery },
            Endpoint = MqttEndpoint.Parse(uri),
            Device = device,
            Labels = Labels,
            ModelName = "tiny-multilabel",
            Stats = stats,
        }, NullLogger.Instance, time ?? TimeProvider.System);

    private static Func<IReadOnlyList<ReceivedMessage>, bool> Online(string device) =>
        m => m.Any(x => x.Topic == $"edge/{device}/available" && x.Payload == "online");

    private static byte[] Frame(int frame) => Encoding.UTF8.GetBytes($"{{\"frame\":{frame}}}\n");

    private static int FrameOf(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.GetProperty("frame").GetInt32();
    }
}
