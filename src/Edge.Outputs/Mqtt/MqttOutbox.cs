namespace Edge.Outputs.Mqtt;

/// <summary>
/// A bounded queue of messages between the frame thread and the MQTT thread. Slots and their buffers are allocated
/// up front and reused, so enqueueing allocates nothing (a message longer than a slot grows that slot once); when
/// full, the oldest message is dropped and counted — the frame thread never waits for the network. A taken message
/// stays in the <see cref="Backlog"/> until the MQTT thread settles it (acknowledged or given up), so a stop that drains
/// the outbox also waits for the publish in flight.
/// </summary>
internal sealed class MqttOutbox
{
    private readonly Lock gate = new();
    private readonly Slot[] slots;
    private readonly SemaphoreSlim signal = new(0, int.MaxValue);
    private int head;
    private int count;
    private long dropped;
    private bool inFlight;

    public MqttOutbox(int capacity, int slotBytes = 2048)
    {
        slots = new Slot[capacity];
        for (var i = 0; i < capacity; i++)
        {
            slots[i].Buffer = new byte[slotBytes];
        }
    }

    public long Dropped => Interlocked.Read(ref dropped);

    public int Count
    {
        get
        {
            lock (gate)
            {
                return count;
            }
        }
    }

    /// <summary>Messages queued plus the one taken and not yet settled.</summary>
    public int Backlog
    {
        get
        {
            lock (gate)
            {
                return count + (inFlight ? 1 : 0);
            }
        }
    }

    /// <summary>The taken message was acknowledged, or given up and counted by the caller.</summary>
    public void Settle()
    {
        lock (gate)
        {
            inFlight = false;
        }
    }

    /// <summary>Empties the queue (at stop); returns how many messages it held.</summary>
    public int Clear()
    {
        lock (gate)
        {
            var cleared = count;
            head = (head + count) % slots.Length;
            count = 0;
            return cleared;
        }
    }

    public void Enqueue(int topic, ReadOnlySpan<byte> payload, bool retain)
    {
        lock (gate)
        {
            if (count == slots.Length)
            {
                head = (head + 1) % slots.Length;
                count--;
                Interlocked.Increment(ref dropped);
            }

            ref var slot = ref slots[(head + count) % slots.Length];
            if (slot.Buffer.Length < payload.Length)
            {
                slot.Buffer = new byte[payload.Length];
            }

            payload.CopyTo(slot.Buffer);
            slot.Length = payload.Length;
            slot.Topic = topic;
            slot.Retain = retain;
            count++;
        }

        signal.Release();
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> on <paramref name="time"/>'s clock for a message; returns a copy (this runs
    /// on the MQTT thread).
    /// </summary>
    public bool TryTake(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken, out (int Topic, byte[] Payload, bool Retain) message)
    {
        message = default;
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        if (!signal.Wait(0) && (timeout <= TimeSpan.Zero || !WaitForSignal(timeout, time, cancellationToken)))
        {
            return false;
        }

        lock (gate)
        {
            if (count == 0)
            {
                return false; // its message was dropped as the oldest
            }

            ref var slot = ref slots[head];
            message = (slot.Topic, slot.Buffer.AsSpan(0, slot.Length).ToArray(), slot.Retain);
            head = (head + 1) % slots.Length;
            count--;
            inFlight = true;
            return true;
        }
    }

    /// <summary>Waits without throwing: a wait that ends by its timeout is the loop's ordinary idle tick.</summary>
    private bool WaitForSignal(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var expired = new CancellationTokenSource(timeout, time);
        using var over = CancellationTokenSource.CreateLinkedTokenSource(expired.Token, cancellationToken);
        while (!over.IsCancellationRequested)
        {
            WaitHandle.WaitAny([signal.AvailableWaitHandle, over.Token.WaitHandle]);
            if (signal.Wait(0))
            {
                return true;
            }
        }

        return false;
    }

    private struct Slot
    {
        public byte[] Buffer;
        public int Length;
        public int Topic;
        public bool Retain;
    }
}
