using Edge.Outputs.Mqtt;
using Edge.Runtime.Options;

namespace Edge.Outputs.Tests.Mqtt;

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

    [Theory]
    [InlineData("mqtt://edgeuser:pa@S3CRET-xyz@broker:1883", "S3CRET")]
    [InlineData("mqtt://edgeuser%3APa55-S3CRET@broker", "S3CRET")]
    [InlineData("mqtt://edgeuser%3aPa55-S3CRET@broker", "S3CRET")]
    [InlineData("mqtts://edgeuser:Pa55-S3CRET@broker/x?y", "S3CRET")]
    [InlineData("mqtt://edgeuser:Pa55/S3CRET@broker", "S3CRET")]
    public void Endpoint_PasswordInAnyForm_IsRefusedWithoutEchoingAnyOfIt(string text, string secret)
    {
        var error = Assert.Throws<MqttConfigurationException>(() => MqttEndpoint.Parse(text));

        Assert.Contains("contains a password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Pa55", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoint_ToString_HasNoPasswordPart()
    {
        Assert.Equal("mqtt://robot@fleet@broker:1883", MqttEndpoint.Parse("mqtt://robot%40fleet@broker").ToString());
    }

    [Fact]
    public void StatsMessage_BeforeTheFirstFrame_HasSchemaAndEveryKeyAtZero()
    {
        using var json = System.Text.Json.JsonDocument.Parse(MqttStatsMessage.Write("rover", new Edge.Runtime.Pipeline.PipelineStats(), level: 0));
        var root = json.RootElement;

        Assert.Equal("edge.stats/1", root.GetProperty("schema").GetString());
        Assert.Equal("rover", root.GetProperty("device").GetString());
        foreach (var key in MqttStatsMessage.CounterKeys)
        {
            Assert.Equal(0, root.GetProperty(key).GetInt64());
        }

        Assert.Equal(0, root.GetProperty("level").GetInt32());
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
        while (outbox.TryTake(TimeSpan.Zero, TimeProvider.System, CancellationToken.None, out var message))
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

        var error = Assert.Throws<SettingException>(settings.Validate);

        Assert.Contains(mentions, error.Message, StringComparison.Ordinal);
    }
}
