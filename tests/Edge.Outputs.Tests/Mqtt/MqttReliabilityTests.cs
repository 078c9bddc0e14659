using System.Diagnostics;
using System.Text.Json;
using Edge.Cli.Commands;

namespace Edge.Outputs.Tests.Mqtt;

/// <summary>
/// The app publishing over MQTT: delivery, topics and stats to an in-process broker; outages, a late broker and bad
/// credentials on a real Mosquitto broker.
/// </summary>
[Collection(nameof(MqttCollection))]
[Trait("Category", "Integration")]
[Trait("Category", "App")]
public sealed class MqttReliabilityTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly TestBundle bundle = TestBundle.Create();

    public void Dispose() => bundle.Dispose();

    [Fact]
    public async Task EveryLabelSetOfA300FrameRun_ArrivesInOrder_AndIsValid()
    {
        await using var broker = await InProcessBroker.StartAsync();

        var result = await Task.Run(() => Run(broker.Uri, "synthetic?size=32&fps=0", frames: 300));

        Assert.Equal(0, result.ExitCode);
        await broker.WaitUntil(m => m.Count(x => x.Topic == "edge/rover/cam0/labels") == 300, "300 label sets");
        var frames = broker.Payloads("edge/rover/cam0/labels").Select(payload =>
        {
            var json = JsonDocument.Parse(payload).RootElement;
            Assert.Equal("edge.labels/2", json.GetProperty("schema").GetString());
            Assert.Equal("rover", json.GetProperty("device").GetString());
            Assert.True(json.TryGetProperty("active", out _));
            return json.GetProperty("frame").GetInt64();
        }).ToList();
        Assert.Equal(frames.Order(), frames);
        Assert.Equal(300, frames.Distinct().Count());
        await broker.WaitUntil(m => m.LastOrDefault(x => x.Topic == "edge/rover/available")?.Payload == "offline", "available=offline at the end");
        var available = broker.Payloads("edge/rover/available");
        Assert.Contains("online", available);
        Assert.All(available.TakeWhile(p => p != "online"), p => Assert.Equal("starting", p)); // while the model loads
        Assert.Equal(10, broker.Messages.Where(m => m.Topic.StartsWith("edge/rover/cam0/label/", StringComparison.Ordinal)).Select(m => m.Topic).Distinct().Count());
        var labelEvents = broker.Payloads("edge/rover/cam0/events").Select(p => JsonDocument.Parse(p).RootElement.GetProperty("event").GetString()).ToList();
        Assert.Contains("label_on", labelEvents);
    }

    [Fact]
    public async Task BrokerUnreachableAtStart_TheRunKeepsGoing_AndDeliversOnceItAppears()
    {
        using var broker = new MosquittoBroker();
        var run = Task.Run(() => Run(broker.Uri, "synthetic?size=32&fps=20", frames: 100));
        await Task.Delay(1500);
        broker.Start();
        using var recorder = new MqttRecorder(broker.Port, "edge/rover/#");

        var result = await run;

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(100, result.OutputLines.Length);
        Assert.Contains("cannot connect", result.StandardError, StringComparison.Ordinal);
        Assert.True(recorder.WaitFor(m => m.Any(x => x.Topic == "edge/rover/cam0/labels"), TimeSpan.FromSeconds(10)));
        Assert.Contains("online", recorder.Payloads("/available"));
    }

    [Fact]
    public async Task BrokerDownForFiveSeconds_FramesKeepPace_DropsAreCounted_DeliveryResumes()
    {
        using var broker = new MosquittoBroker().Start();
        using var recorder = new MqttRecorder(broker.Port, "edge/rover/#");
        var config = Path.Combine(bundle.Directory, "edge.json");
        File.WriteAllText(config, """{ "mqtt": { "outbox": 20 } }""");
        var clock = Stopwatch.StartNew();
        var run = Task.Run(() => Run(broker.Uri, "synthetic?size=32&fps=20", frames: 300, "--config", config));

        await Task.Delay(3000);
        var beforeOutage = recorder.Payloads("/labels").Count;
        broker.Kill();
        await Task.Delay(5000);
        broker.Start();
        var result = await run;
        var elapsed = clock.Elapsed;

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(300, result.OutputLines.Length); // every frame still published to stdout
        Assert.InRange(elapsed.TotalSeconds, 14, 24); // 300 frames at 20 fps: the outage did not stall the frame path
        Assert.True(beforeOutage > 0);
        Assert.True(recorder.WaitFor(m => m.Count(x => x.Topic == "edge/rover/cam0/labels") > beforeOutage + 20, TimeSpan.FromSeconds(10)), "delivery did not resume");
        var summary = result.ErrorLines.Single(line => line.StartsWith("mqtt:", StringComparison.Ordinal));
        Assert.DoesNotContain(" 0 dropped", summary, StringComparison.Ordinal);
        Assert.Contains("connection", result.StandardError, StringComparison.Ordinal);
        var available = recorder.Payloads("/available");
        Assert.True(available.Count(p => p == "online") >= 2, $"available: {string.Join(",", available)}"); // announced again after the restart
    }

    [Fact]
    public async Task ChangeModeAndHomeAssistantDiscovery_OneBinarySensorPerLabel_LabelSetsOnlyOnChange()
    {
        await using var broker = await InProcessBroker.StartAsync();
        var config = Path.Combine(bundle.Directory, "edge.json");
        File.WriteAllText(config, """{ "mqtt": { "home_assistant_discovery": true, "labels": "change", "heartbeat_seconds": 60 } }""");

        var result = await Task.Run(() => Run(broker.Uri, "synthetic?size=32&fps=0&scene_frames=1000", frames: 50, "--config", config));

        Assert.Equal(0, result.ExitCode);
        await broker.WaitUntil(m => m.Count(x => x.Topic.StartsWith("homeassistant/binary_sensor/rover/", StringComparison.Ordinal)) == 10, "10 discovery messages");
        var discovery = JsonDocument.Parse(broker.Messages.First(m => m.Topic == "homeassistant/binary_sensor/rover/cam0_trouser/config").Payload).RootElement;
        Assert.Equal("edge/rover/cam0/label/trouser", discovery.GetProperty("state_topic").GetString());
        Assert.Equal(["edge/rover/available", "edge/rover/cam0/availability"], discovery.GetProperty("availability").EnumerateArray().Select(a => a.GetProperty("topic").GetString()));
        Assert.Equal("all", discovery.GetProperty("availability_mode").GetString());
        // One scene for all 50 frames: the first label set, then only changes (the tiny model's scores barely move).
        Assert.InRange(broker.Payloads("edge/rover/cam0/labels").Count, 1, 25);
    }

    [Fact]
    public void WrongCredentials_ClearErrorInLogAndSummary_NoSecretAnywhere()
    {
        const string secret = "not-the-password-4711";
        using var broker = new MosquittoBroker("alice", "right-password").Start();

        var result = EdgeProcess.Run(Timeout, new Dictionary<string, string> { ["EDGE_MQTT_PASSWORD"] = secret },
            "run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=20", "--frames", "20", "--budget-ms", "60000",
            "--device", "rover", "--mqtt", $"mqtt://alice@127.0.0.1:{broker.Port}");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(20, result.OutputLines.Length);
        Assert.Contains("cannot connect to mqtt://alice@127.0.0.1", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("0 connections", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.StandardError + result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void TlsFailure_ClearErrorInLog_TheRunGoesOn()
    {
        using var broker = new MosquittoBroker().Start(); // plain TCP: a TLS handshake against it fails

        var result = Run($"mqtts://127.0.0.1:{broker.Port}", "synthetic?size=32&fps=20", frames: 20);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(20, result.OutputLines.Length);
        Assert.Contains($"cannot connect to mqtts://127.0.0.1:{broker.Port}", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("0 connections", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://broker:1883", "expected mqtt://[user@]host[:port]")]
    [InlineData("mqtt://bob:hunter2@broker:1883", "contains a password")]
    [InlineData("mqtt://broker:1883/topic", "has a path or query")]
    [InlineData("mqtt://edgeuser:hunter2@S3CRET-xyz@broker", "contains a password")]
    [InlineData("mqtt://edgeuser%3Ahunter2-S3CRET@broker", "contains a password")]
    public void BadUri_OneLineErrorAtStart_WithoutTheSecret(string uri, string mentions)
    {
        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--frames", "1", "--mqtt", uri);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, mentions);
        foreach (var secret in new[] { "hunter2", "S3CRET" })
        {
            Assert.DoesNotContain(secret, result.StandardError + result.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("dev#1")]
    [InlineData("dev+1")]
    public void DeviceIllegalInATopic_OneLineErrorAtStart(string device)
    {
        var result = EdgeProcess.Run(Timeout, "run", "--model", bundle.Directory, "--frames", "1", "--device", device, "--mqtt", "mqtt://127.0.0.1:1");

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, $"'device' is '{device}'");
        Assert.Empty(result.OutputLines);
    }

    [Fact]
    public void LabelIllegalInATopic_OneLineErrorAtStart()
    {
        using var hashed = TestBundle.Create(manifest => manifest["labels"]![1]!["name"] = "pants#1");

        var result = EdgeProcess.Run(Timeout, "run", "--model", hashed.Directory, "--frames", "1", "--device", "rover", "--mqtt", "mqtt://127.0.0.1:1");

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, "label is 'pants#1'");
        Assert.Empty(result.OutputLines);
    }

    [Fact]
    public async Task FirstStatsMessage_HasTheSchemaAndEveryKey()
    {
        await using var broker = await InProcessBroker.StartAsync();

        var result = await Task.Run(() => Run(broker.Uri, "synthetic?size=32&fps=20", frames: 5));

        Assert.Equal(0, result.ExitCode);
        await broker.WaitUntil(m => m.Any(x => x.Topic == "edge/rover/stats"), "a stats message");
        var first = broker.Payloads("edge/rover/stats")[0];
        using var json = JsonDocument.Parse(first);
        var root = json.RootElement;
        Assert.Equal("edge.stats/1", root.GetProperty("schema").GetString());
        foreach (var key in new[] { "published", "dropped_stale", "skipped", "late", "withheld", "cancelled", "missed", "level" })
        {
            Assert.True(root.TryGetProperty(key, out _), $"no '{key}' in {first}");
        }
    }

    private EdgeProcess.Result Run(string uri, string source, int frames, params string[] extra) =>
        EdgeProcess.Run(Timeout, ["run", "--model", bundle.Directory, "--source", source, "--frames", frames.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--budget-ms", "60000", "--device", "rover", "--mqtt", uri, .. extra]);
}

