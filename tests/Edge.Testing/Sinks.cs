using System.Text;
using Edge.Runtime.Events;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Testing;

/// <summary>Keeps every published label set as a string (allocates; for behaviour tests).</summary>
internal sealed class CollectingSink : IFrameOutput
{
    public List<string> Messages { get; } = [];

    public void OnFrame(in FrameReport report)
    {
        if (!report.Message.IsEmpty)
        {
            Messages.Add(Encoding.UTF8.GetString(report.Message.Span));
        }
    }
}

/// <summary>Counts label sets and copies the last one into a buffer allocated up front: publishing allocates nothing.</summary>
internal sealed class CountingSink(int capacity = 1 << 16) : IFrameOutput
{
    private readonly byte[] last = new byte[capacity];
    private int lastLength;

    public int Count { get; private set; }

    public long TotalBytes { get; private set; }

    public string LastMessage => Encoding.UTF8.GetString(last, 0, lastLength);

    public void OnFrame(in FrameReport report)
    {
        if (report.Message.IsEmpty)
        {
            return;
        }

        report.Message.Span.CopyTo(last);
        lastLength = report.Message.Length;
        Count++;
        TotalBytes += report.Message.Length;
    }
}

/// <summary>Keeps every pipeline event (allocates; for behaviour tests).</summary>
internal sealed class CollectingEventSink : IFrameOutput
{
    public List<PipelineEvent> Events { get; } = [];

    public void OnFrame(in FrameReport report)
    {
    }

    public void OnEvent(in PipelineEvent pipelineEvent) => Events.Add(pipelineEvent);
}
