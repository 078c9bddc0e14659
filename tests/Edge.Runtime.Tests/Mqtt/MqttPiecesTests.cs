using Edge.Runtime.Publishing.Mqtt;

namespace Edge.Runtime.Tests.Mqtt;

public sealed class MqttPiecesTests
{
    [Theory]
    [InlineData("mqtt://broker.local", "broker.local", 1883, false, null)]
    [InlineData("mqtts://broker.local", "broker.local", 8883, true, null)]
    [InlineData("mqtt://alice@10.0.0.2:1884", "10.0.0.2", 1884, false, "alice")]
    [InlineData("mqtts://robot%40fleet@broker:8884/", "broker", 8884, true, "robot@fleet")]
    public void Endpoint_Parses(string text, string host, int port, bool tls, string? user)
    {
        Assert.Equal(new MqttEndpoint(host, port, tls, user), MqttEndpoint.Parse(text));
    }

    [Fact]
    public void Endpoint_WithPassword_IsRefusedWithoutEchoingIt()
    {
        var error = Assert.Throws<MqttConfigurationException>(() => MqttEndpoint.Parse("mqtt://bob:s3cret@broker:1883"));

        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
        Assert.Contains("bob:***@broker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Outbox_WhenFull_DropsTheOldest_AndCountsIt()
    {
        var outbox = new MqttOutbox(3);
        for (byte i = 1; i <= 5; i++)
        {
            outbox.Enqueue(0, [i], retain: false);
        }

        var taken = new List<byte>();
        while (outbox.TryTake(TimeSpan.Zero, CancellationToken.None, out var message))
        {
            taken.Add(message.Payload[0]);
        }

        Assert.Equal([3, 4, 5], taken);
        Assert.Equal(2, outbox.Dropped);
    }

    [Fact]
    public void Outbox_Enqueue_AllocatesNothing()
    {
        var outbox = new MqttOutbox(8, slotBytes: 64);
        var message = new byte[40];
        for (var i = 0; i < 20; i++)
        {
            outbox.Enqueue(1, message, retain: false);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            outbox.Enqueue(1, message, retain: true);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(3, "every", 1000, "'mqtt.qos' is 3")]
    [InlineData(1, "sometimes", 1000, "'mqtt.labels' is 'sometimes'")]
    [InlineData(1, "every", 0, "'mqtt.outbox' is 0")]
    public void Settings_OutOfRange_NameTheKey(int qos, string labels, int outbox, string mentions)
    {
        var settings = new MqttSettings { Uri = "mqtt://b", Qos = qos, Labels = labels, Outbox = outbox };

        var error = Assert.Throws<MqttConfigurationException>(settings.Validate);

        Assert.Contains(mentions, error.Message, StringComparison.Ordinal);
    }
}
