using Edge.Runtime.Events;

namespace Edge.Server.LiveView;

/// <summary>
/// The newest pipeline events, kept by value in a ring (recording one allocates nothing, on the frame thread or the
/// capture thread): a viewer that connects gets its stream's recent ones, the encoder thread passes on new ones.
/// </summary>
internal sealed class EventLog
{
    public const int Capacity = 64;

    private readonly Lock gate = new();
    private readonly PipelineEvent[] ring = new PipelineEvent[Capacity];
    private long written;

    /// <summary>Events recorded so far (the next one's number).</summary>
    public long Written
    {
        get
        {
            lock (gate)
            {
                return written;
            }
        }
    }

    public void Record(in PipelineEvent pipelineEvent)
    {
        lock (gate)
        {
            ring[written % Capacity] = pipelineEvent;
            written++;
        }
    }

    /// <summary>
    /// Copies the events numbered from <paramref name="from"/> on (those still in the ring) into <paramref name="into"/>
    /// and returns the number after the last one copied.
    /// </summary>
    public long CopySince(long from, List<PipelineEvent> into)
    {
        lock (gate)
        {
            for (var number = Math.Max(from, written - Capacity); number < written; number++)
            {
                into.Add(ring[number % Capacity]);
            }

            return written;
        }
    }
}
