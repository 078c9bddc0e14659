using System.Text;
using Edge.Runtime.Publishing;

namespace Edge.Testing;

/// <summary>Keeps every published message as a string (allocates; for behaviour tests).</summary>
internal sealed class CollectingSink : ILabelSetSink
{
    public List<string> Messages { get; } = [];

    public bool Disposed { get; private set; }

    public void Publish(ReadOnlySpan<byte> message) => Messages.Add(Encoding.UTF8.GetString(message));

    public void Dispose() => Disposed = true;
}

/// <summary>Counts messages and copies the last one into a buffer allocated up front: publishing allocates nothing.</summary>
internal sealed class CountingSink(int capacity = 1 << 16) : ILabelSetSink
{
    private readonly byte[] last = new byte[capacity];
    private int lastLength;

    public int Count { get; private set; }

    public long TotalBytes { get; private set; }

    public string LastMessage => Encoding.UTF8.GetString(last, 0, lastLength);

    public void Publish(ReadOnlySpan<byte> message)
    {
        message.CopyTo(last);
        lastLength = message.Length;
        Count++;
        TotalBytes += message.Length;
    }

    public void Dispose()
    {
    }
}

/// <summary>Keeps every pipeline event (allocates; for behaviour tests).</summary>
internal sealed class CollectingEventSink : Edge.Runtime.Events.IPipelineEventSink
{
    public List<Edge.Runtime.Events.PipelineEvent> Events { get; } = [];

    public void Publish(in Edge.Runtime.Events.PipelineEvent pipelineEvent) => Events.Add(pipelineEvent);
}
