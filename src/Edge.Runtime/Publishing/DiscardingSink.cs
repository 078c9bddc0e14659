namespace Edge.Runtime.Publishing;

/// <summary>Counts messages and bytes and keeps nothing: the sink of benchmarks, which measure everything up to the hand-off.</summary>
public sealed class DiscardingSink : ILabelSetSink
{
    public long Messages { get; private set; }

    public long Bytes { get; private set; }

    public void Publish(ReadOnlySpan<byte> message)
    {
        Messages++;
        Bytes += message.Length;
    }

    public void Dispose()
    {
    }
}
