using Edge.Runtime.Events;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging;

namespace Edge.Outputs.Mqtt;

/// <summary>
/// Feeds an <see cref="MqttPublisher"/> from the pipeline: each frame once (the label set, then the label states),
/// each event, and the stats message from the counters of the latest frame report.
/// </summary>
public sealed class MqttOutput : IFrameOutput, IDisposable
{
    private PipelineStats? stats;
    private int level;

    /// <param name="options">Everything but <see cref="MqttPublisherOptions.Stats"/>, which this output provides.</param>
    /// <exception cref="MqttConfigurationException">The device, a label or a prefix cannot be part of an MQTT topic.</exception>
    public MqttOutput(MqttPublisherOptions options, ILogger logger, TimeProvider time)
    {
        var device = options.Device;
        Publisher = new MqttPublisher(
            options.WithStats(() => MqttStatsMessage.Write(device, Volatile.Read(ref stats) ?? new PipelineStats(), Volatile.Read(ref level))),
            logger,
            time);
    }

    public MqttPublisher Publisher { get; }

    public void OnFrame(in FrameReport report)
    {
        Volatile.Write(ref stats, report.Stats);
        Volatile.Write(ref level, report.Level);
        if (!report.Message.IsEmpty)
        {
            Publisher.Publish(report.Message.Span, report.Stream, report.Model);
        }

        Publisher.OnFrame(report);
    }

    public void OnEvent(in PipelineEvent pipelineEvent) => Publisher.Publish(pipelineEvent);

    /// <summary>A stream configured at start that joins again is announced online with its next frame; others have no topics.</summary>
    public void OnStreamAdded(StreamOptions stream) => Publisher.StreamAdded(stream.Id);

    /// <summary>A stream that leaves is announced offline (its availability topic, retained).</summary>
    public void OnStreamRemoved(string stream) => Publisher.StreamRemoved(stream);

    public void Dispose() => Publisher.Dispose();
}
