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
    /// Copies the events numbered from <paramref name="from"/> up to <paramref name="until"/> (those still in the ring),
    /// with their numbers, into <paramref name="into"/> and returns the number after the last one copied.
    /// </summary>
    public long Copy(long from, List<(long Number, PipelineEvent Event)> into, long until = long.MaxValue)
    {
        lock (gate)
        {
            var end = Math.Min(until, written);
            for (var number = Math.Max(from, written - Capacity); number < end; number++)
            {
                into.Add((number, ring[number % Capacity]));
            }

            return Math.Max(from, end);
        }
    }
}
