using Edge.Runtime.Events;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Logging;

namespace Edge.Runtime.Publishing.Mqtt;

/// <summary>
/// Feeds an <see cref="MqttPublisher"/> from the pipeline: each frame once (the label set, then the label states),
/// each event, and the stats message from the counters of the latest frame report.
/// </summary>
public sealed class MqttOutput : IFrameOutput, IDisposable
{
    private PipelineStats? stats;
    private int level;

    /// <param name="modelName">The model bundle's name, announced as the device model in Home Assistant discovery.</param>
    /// <exception cref="MqttConfigurationException">The device, a label or a prefix cannot be part of an MQTT topic.</exception>
    public MqttOutput(MqttSettings settings, MqttEndpoint endpoint, string device, IReadOnlyList<string> labels, string? password, ILogger logger, TimeProvider time, string? modelName = null)
    {
        Publisher = new MqttPublisher(settings, endpoint, device, labels, password, logger, time,
            () => MqttStatsMessage.Write(device, Volatile.Read(ref stats) ?? new PipelineStats(), Volatile.Read(ref level)), modelName);
    }

    public MqttPublisher Publisher { get; }

    public void OnFrame(in FrameReport report)
    {
        Volatile.Write(ref stats, report.Stats);
        Volatile.Write(ref level, report.Level);
        if (!report.Message.IsEmpty)
        {
            Publisher.Publish(report.Message.Span);
        }

        Publisher.OnFrame(report);
    }

    public void OnEvent(in PipelineEvent pipelineEvent) => Publisher.Publish(pipelineEvent);

    public void Dispose() => Publisher.Dispose();
}
