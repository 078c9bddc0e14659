using System.Text;
using System.Text.Json;
using Edge.Outputs.Mqtt;
using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Runtime.Events;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Outputs.Tests.Mqtt;

/// <summary>Several streams and heads on the in-process broker: topics per stream (and head), per-stream availability, discovery per camera.</summary>
public sealed class MqttStreamTests
{
    private static readonly string[] TaggerLabels = ["t-shirt", "trouser"];
    private static readonly string[] SceneLabels = ["indoor"];

    private readonly MultiLabelDecoder tagger = new([.. TaggerLabels.Select(n => new LabelThreshold(n, 0.5f, 0.5f))], OutputKind.Probabilities, new DecoderOptions());

    [Fact]
    public async Task OnFrame_TwoStreamsOneHead_LabelSetsAndStatesUnderTheirOwnStream()
    {
        await using var broker = await InProcessBroker.StartAsync();
        using var mqtt = Output(broker.Uri, ["front", "back"], heads: null);
        mqtt.Publisher.Start();
        await broker.WaitUntil(m => m.Any(x => x.Topic == "edge/rover/available"), "online");

        mqtt.OnFrame(Report("front", "tagger", frame: 1, active: 0));
        mqtt.OnFrame(Report("back", "tagger", frame: 1));
        mqtt.OnFrame(Report("back", "tagger", frame: 2));
        mqtt.Publisher.Stop(TimeSpan.FromSeconds(5));

        Assert.Equal(["{\"stream\":\"front\",\"frame\":1}"], broker.Payloads("edge/rover/front/labels"));
        Assert.Equal(["{\"stream\":\"back\",\"frame\":1}", "{\"stream\":\"back\",\"frame\":2}"], broker.Payloads("edge/rover/back/labels"));
        Assert.Equal("ON", broker.Payloads("edge/rover/front/label/t-shirt")[^1]);
        Assert.All(broker.Payloads("edge/rover/back/label/t-shirt"), payload => Assert.Equal("OFF", payload)); // front's label never crosses over
        Assert.DoesNotContain(broker.Messages, m => m.Topic is "edge/rover/labels" or "edge/rover/front/tagger/labels");
    }

    [Fact]
    public async Task OnFrame_TwoHeads_TopicsCarryTheHeadAndEachKeepsItsOwnState()
    {
        await using var broker = await InProcessBroker.StartAsync();
        using var mqtt = Output(broker.Uri, ["front"], heads: [new MqttHead("tagger", TaggerLabels), new MqttHead("scene", SceneLabels)]);
        mqtt.Publisher.Start();
        await broker.WaitUntil(m => m.Any(x => x.Topic == "edge/rover/available"), "online");

        mqtt.OnFrame(Report("front", "tagger", frame: 1, active: 0));
        mqtt.OnFrame(Report("front", "scene", frame: 1));
        mqtt.OnFrame(Report("front", "unknown-head", frame: 1));
        mqtt.Publisher.Stop(TimeSpan.FromSeconds(5));

        Assert.Single(broker.Payloads("edge/rover/front/tagger/labels"));
        Assert.Single(broker.Payloads("edge/rover/front/scene/labels"));
        Assert.Equal("ON", broker.Payloads("edge/rover/front/tagger/label/t-shirt")[^1]);
        Assert.All(broker.Payloads("edge/rover/front/scene/label/indoor"), payload => Assert.Equal("OFF", payload)); // the tagger's t-shirt never turns scene's label on
        Assert.DoesNotContain(broker.Messages, m => m.Topic.Contains("unknown-head", StringComparison.Ordinal) || m.Topic == "edge/rover/front/labels");
    }

    [Fact]
    public async Task Availability_OnlineAtFirstFrame_OfflineOnCameraLost_OnlineOnRecovered_OfflineAtStop()
    {
        await using var broker = await InProcessBroker.StartAsync();
        using var mqtt = Output(broker.Uri, ["front", "back"], heads: null);
        mqtt.Publisher.Start();
        await broker.WaitUntil(m => m.Any(x => x.Topic == "edge/rover/back/availability"), "the announcement");

        mqtt.OnFrame(Report("front", "tagger", frame: 1));
        mqtt.OnFrame(Report("back", "tagger", frame: 1));
        mqtt.OnEvent(CameraEvent(PipelineEventKind.CameraLost, "back"));
        mqtt.OnFrame(Report("back", "tagger", frame: 2)); // captured before the loss: does not bring it back
        mqtt.OnEvent(CameraEvent(PipelineEventKind.CameraRecovered, "back"));
        mqtt.Publisher.Stop(TimeSpan.FromSeconds(5));

        Assert.Equal(["offline", "online", "offline"], broker.Payloads("edge/rover/front/availability"));
        Assert.Equal(["offline", "online", "offline", "online", "offline"], broker.Payloads("edge/rover/back/availability"));
        Assert.All(broker.Messages.Where(m => m.Topic.EndsWith("/availability", StringComparison.Ordinal)), m => Assert.True(m.Retained));
        Assert.Equal("offline", broker.Payloads("edge/rover/available")[^1]); // the device-level availability stays
        Assert.Equal(2, broker.Payloads("edge/rover/back/events").Count);
        Assert.Empty(broker.Payloads("edge/rover/front/events"));
    }

    [Fact]
    public async Task Availability_StreamRemovedThenAddedAgain_OfflineThenOnlineWithItsNextFrame()
    {
        await using var broker = await InProcessBroker.StartAsync();
        using var mqtt = Output(broker.Uri, ["front", "back"], heads: null);
        mqtt.Publisher.Start();
        await broker.WaitUntil(m => m.Any(x => x.Topic == "edge/rover/back/availability"), "the announcement");

        mqtt.OnFrame(Report("back", "tagger", frame: 1));
        mqtt.OnStreamRemoved("back");
        mqtt.OnStreamAdded(new Edge.Runtime.Options.StreamOptions { Id = "back", Source = "synthetic" });
        mqtt.OnFrame(Report("back", "tagger", frame: 1));
        mqtt.OnStreamAdded(new Edge.Runtime.Options.StreamOptions { Id = "side", Source = "synthetic" }); // not configured at start: no topics
        mqtt.OnFrame(Report("side", "tagger", frame: 1));
        mqtt.Publisher.Stop(TimeSpan.FromSeconds(5));

        Assert.Equal(["offline", "online", "offline", "online", "offline"], broker.Payloads("edge/rover/back/availability"));
        Assert.DoesNotContain(broker.Messages, m => m.Topic.Contains("side", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Discovery_OneHomeAssistantDevicePerStream_LinkedToTheEdgeDevice()
    {
        await using var broker = await InProcessBroker.StartAsync();
        using var mqtt = Output(broker.Uri, ["front", "back"], heads: [new MqttHead("tagger", TaggerLabels), new MqttHead("scene", SceneLabels)], discovery: true);
        mqtt.Publisher.Start();

        await broker.WaitUntil(m => m.Count(x => x.Topic.StartsWith("homeassistant/", StringComparison.Ordinal)) == 6, "discovery of 2 streams x 3 labels");
        mqtt.Publisher.Stop(TimeSpan.FromSeconds(5));
        var configs = broker.Messages.Where(m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal)).ToDictionary(m => m.Topic, m => JsonDocument.Parse(m.Payload).RootElement);

        var backIndoor = configs["homeassistant/binary_sensor/rover/back_scene_indoor/config"];
        Assert.Equal("rover_back_scene_indoor", backIndoor.GetProperty("unique_id").GetString());
        Assert.Equal("edge/rover/back/scene/label/indoor", backIndoor.GetProperty("state_topic").GetString());
        Assert.Equal(["edge/rover/available", "edge/rover/back/availability"], backIndoor.GetProperty("availability").EnumerateArray().Select(a => a.GetProperty("topic").GetString()));
        var device = backIndoor.GetProperty("device");
        Assert.Equal("edge_rover_back", device.GetProperty("identifiers")[0].GetString());
        Assert.Equal("rover back", device.GetProperty("name").GetString());
        Assert.Equal("edge_rover", device.GetProperty("via_device").GetString());
        Assert.Equal(2, configs.Values.Select(c => c.GetProperty("device").GetProperty("identifiers")[0].GetString()).Distinct().Count());
        Assert.Equal(6, configs.Values.Select(c => c.GetProperty("unique_id").GetString()).Distinct().Count());
    }

    [Fact]
    public void OnFrame_FourStreamsTwoHeads_AfterWarmUp_AllocatesNothing()
    {
        string[] streams = ["cam0", "cam1", "cam2", "cam3"];
        using var mqtt = Output(InProcessBroker.UnreachableUri(), streams, heads: [new MqttHead("tagger", TaggerLabels), new MqttHead("scene", SceneLabels)], outbox: 64);
        var message = new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes("{\"frame\":1}\n"));
        for (var i = 0; i < 100; i++)
        {
            Feed(i);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 4_000; i++)
        {
            Feed(i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void Feed(int i)
        {
            tagger.Decode(i % 2 == 0 ? [0.9f, 0.1f] : [0.1f, 0.9f]);
            mqtt.OnFrame(new FrameReport
            {
                Stream = streams[i % 4], Model = i % 3 == 0 ? "scene" : "tagger", Frame = i, Outcome = FrameOutcome.Published, Latency = default,
                EndToEndMs = 10, Level = 0, Labels = tagger, Message = message,
            });
        }
    }

    private static MqttOutput Output(string uri, string[] streams, IReadOnlyList<MqttHead>? heads, bool discovery = false, int outbox = 1000) =>
        new(
            new MqttPublisherOptions
            {
                Settings = new MqttSettings { Uri = uri, Outbox = outbox, HomeAssistantDiscovery = discovery },
                Endpoint = MqttEndpoint.Parse(uri),
                Device = "rover",
                Labels = TaggerLabels,
                ModelName = "tagger",
                Streams = streams,
                Heads = heads,
            },
            NullLogger.Instance,
            TimeProvider.System);

    private static PipelineEvent CameraEvent(PipelineEventKind kind, string stream) =>
        new() { Kind = kind, Stream = stream, Frame = 0, At = DateTimeOffset.UnixEpoch, Source = "v4l2:0" };

    /// <summary>A published frame of the tagger's decoder with the given labels active (other heads reuse it: only the lane matters).</summary>
    private FrameReport Report(string stream, string model, int frame, params int[] active)
    {
        var scores = new float[TaggerLabels.Length];
        foreach (var label in active)
        {
            scores[label] = 0.9f;
        }

        tagger.Decode(scores);
        return new FrameReport
        {
            Stream = stream,
            Model = model,
            Frame = frame,
            Outcome = FrameOutcome.Published,
            Latency = default,
            EndToEndMs = 10,
            Level = 0,
            Labels = tagger,
            Message = Encoding.UTF8.GetBytes($"{{\"stream\":\"{stream}\",\"frame\":{frame}}}\n"),
        };
    }
}
