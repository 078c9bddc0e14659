using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Events;

/// <summary>Writes every event as an <c>edge.event/1</c> JSON line (to a file, or to stdout next to the label sets). Does not own the lines.</summary>
public sealed class EventLinesOutput(EventJsonWriter writer, JsonLinesSink lines) : IFrameOutput
{
    private readonly Lock gate = new();

    public void OnFrame(in FrameReport report)
    {
    }

    public void OnEvent(in PipelineEvent pipelineEvent)
    {
        lock (gate)
        {
            writer.Write(pipelineEvent);
            lines.Publish(writer.Message.Span);
        }
    }
}
