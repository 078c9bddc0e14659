using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Publishing;

/// <summary>Writes each published label set as a JSON line (stdout or a file). Does not own the lines.</summary>
public sealed class LabelSetLinesOutput(JsonLinesSink lines) : IFrameOutput
{
    public void OnFrame(in FrameReport report)
    {
        if (!report.Message.IsEmpty)
        {
            lines.Publish(report.Message.Span);
        }
    }
}
