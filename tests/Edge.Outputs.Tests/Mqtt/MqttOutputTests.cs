using System.Text;
using System.Text.Json;
using Edge.Outputs.Mqtt;
using Edge.Runtime.Events;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Outputs.Tests.Mqtt;

/// <summary>MQTT as a pipeline output: fed each frame once, events as they come, stats from the latest report.</summary>
[Collection(nameof(MqttCollection))]
public sealed class MqttOutputTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly string[] Labels = ["t-shirt", "trouser"];

    [Fact]
    public void OnFrame_QueuesEachPublishedLabelSetOnce_AndOnEvent_EachEvent()
    {
        using var broker = new MosquittoBroker(); // never started: everything stays queued, and is counted at stop
        using var mqtt = Output(broker, statsSeconds: 10);
        mqtt.Publisher.Start();
        IFrameOutput output = mqtt;
        for (var frame = 1; frame <= 5; frame++)
        {
            output.OnFrame(Report(frame, frame % 2 == 1 ? FrameOutcome.Published : FrameOutcome.Withheld, level: 0));
        }

        output.OnEvent(new PipelineEvent { Kind = PipelineEventKind.CameraLost, Stream = "cam0", Frame = 5, At = DateTimeOffset.UnixEpoch, Source = "v4l2:0" });
        mqtt.Publisher.Stop(TimeSpan.FromMilliseconds(200));

        Assert.Equal(3 + 1 + 2, mqtt.Publisher.Undelivered); // label sets, the event, cam0 online at its first frame and offline at camera_lost
    }

    [Fact]
    public void Stats_AreTheCountersAndLevelOfTheLatestReport()
    {
        using var broker = new MosquittoBroker().Start();
        using var recorder = new MqttRecorder(broker.Port, "edge/rover/stats");
        using var mqtt = Output(broker, statsSeconds: 0.2);
        mqtt.Publisher.Start();
        Assert.True(SpinWait.SpinUntil(() => mqtt.Publisher.IsConnected, Patience));
        Assert.True(recorder.WaitFor(m => m.Count > 0, Patience), "no stats before the first frame");
        Assert.Equal(0, Level(recorder.Messages[0].Payload));

        mqtt.OnFrame(Report(1, FrameOutcome.Published, level: 2));

        Assert.True(recorder.WaitFor(m => m.Any(x => Level(x.Payload) == 2), Patience), "the stats never showed the reported level");
    }

    private static MqttOutput Output(MosquittoBroker broker, double statsSeconds) =>
        new(
            new MqttPublisherOptions
            {
                Settings = new MqttSettings { Uri = broker.Uri, Outbox = 100, StatsSeconds = statsSeconds },
                Endpoint = MqttEndpoint.Parse(broker.Uri),
                Device = "rover",
                Labels = Labels,
                ModelName = "tiny-multilabel",
            },
            NullLogger.Instance,
            TimeProvider.System);

    private static FrameReport Report(int frame, FrameOutcome outcome, int level) => new()
    {
        Stream = StreamId.Default,
        Model = "model",
        Frame = frame,
        Outcome = outcome,
        Latency = default,
        EndToEndMs = outcome == FrameOutcome.Published ? 10 : double.NaN,
        Level = level,
        Message = outcome == FrameOutcome.Published ? Encoding.UTF8.GetBytes($"{{\"frame\":{frame}}}\n") : default,
        Stats = new PipelineStats(),
    };

    private static int Level(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.GetProperty("level").GetInt32();
    }
}
