using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Publishing;

/// <summary>Counts label sets and bytes and keeps nothing: the output of benchmarks, which measure everything up to the hand-off.</summary>
public sealed class DiscardingOutput : IFrameOutput
{
    public long Messages { get; private set; }

    public long Bytes { get; private set; }

    public void OnFrame(in FrameReport report)
    {
        if (!report.Message.IsEmpty)
        {
            Messages++;
            Bytes += report.Message.Length;
        }
    }
}
