namespace Edge.Camera.Frames;

/// <summary>
/// Latest-frame-wins hand-off between the capture thread and the pipeline. The writer swaps a filled frame in and
/// gets back a spare to fill next; an unconsumed frame that gets replaced is counted as overwritten, never queued.
/// Three frames circulate (one being filled, one waiting, one being processed), so nothing is allocated per frame.
/// With <see cref="FrameHandoff.Lossless"/> the writer instead waits for the reader to take the waiting frame, so none
/// is overwritten; such frames are marked <see cref="Frame.BudgetFromHandoff"/>.
/// </summary>
public sealed class FrameSlot
{
    private readonly Lock gate = new();
    private readonly SemaphoreSlim available = new(0, 1);
    private readonly SemaphoreSlim room = new(0, 1);
    private Frame? waiting;
    private Frame? spare;
    private bool completed;
    private long overwritten;

    public FrameSlot(Func<Frame> createFrame, FrameHandoff handoff = FrameHandoff.LatestWins)
    {
        Handoff = handoff;
        spare = createFrame();
        SpareForWriter = createFrame();
        ReaderFrame = createFrame();
    }

    public FrameHandoff Handoff { get; }

    /// <summary>Set whenever a frame is published or the stream completes, so one reader can wait on many slots.</summary>
    public FrameSignal? Signal { get; init; }

    /// <summary>The frame the writer should fill next.</summary>
    public Frame SpareForWriter { get; private set; }

    private Frame ReaderFrame { get; set; }

    /// <summary>Frames that were replaced before the reader took them.</summary>
    public long Overwritten => Interlocked.Read(ref overwritten);

    /// <summary>
    /// Publishes the filled <see cref="SpareForWriter"/> and hands the writer another frame to fill. A lossless slot
    /// first waits until the reader has taken the previous frame; false when that wait was cancelled (nothing published).
    /// </summary>
    public bool Publish(CancellationToken cancellationToken = default)
    {
        if (Handoff == FrameHandoff.Lossless && !WaitForRoom(cancellationToken))
        {
            return false;
        }

        lock (gate)
        {
            var filled = SpareForWriter;
            filled.BudgetFromHandoff = Handoff == FrameHandoff.Lossless;
            if (waiting is not null)
            {
                Interlocked.Increment(ref overwritten);
                SpareForWriter = waiting;
            }
            else
            {
                SpareForWriter = spare ?? throw new InvalidOperationException("Frame slot lost its spare frame.");
                spare = null;
                if (available.CurrentCount == 0)
                {
                    available.Release();
                }
            }

            waiting = filled;
        }

        Signal?.Set();
        return true;
    }

    /// <summary>Blocks until no frame is waiting for the reader (or the stream is complete); false when cancelled.</summary>
    private bool WaitForRoom(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (gate)
            {
                if (waiting is null || completed)
                {
                    return true;
                }
            }

            try
            {
                room.Wait(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>Marks the end of the stream: the reader gets the last frame, then null.</summary>
    public void Complete()
    {
        lock (gate)
        {
            completed = true;
            if (available.CurrentCount == 0)
            {
                available.Release();
            }
        }

        Signal?.Set();
    }

    /// <summary>
    /// Takes the newest frame if one is waiting, without blocking; the previous frame taken is given back to the
    /// writer's side only when a new one is taken.
    /// </summary>
    public SlotState TryTake(out Frame? frame)
    {
        frame = null;
        if (!available.Wait(0))
        {
            lock (gate)
            {
                return completed && waiting is null ? SlotState.Completed : SlotState.Empty;
            }
        }

        lock (gate)
        {
            if (waiting is not null)
            {
                frame = TakeWaiting();
                return SlotState.Taken;
            }

            if (completed)
            {
                available.Release();
                return SlotState.Completed;
            }

            return SlotState.Empty;
        }
    }

    /// <summary>
    /// Waits for the newest frame and returns it; the previous frame returned is given back to the writer's side.
    /// Returns null once the stream is complete and drained, or when cancelled.
    /// </summary>
    public Frame? Take(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                available.Wait(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            lock (gate)
            {
                if (waiting is not null)
                {
                    return TakeWaiting();
                }

                if (completed)
                {
                    if (available.CurrentCount == 0)
                    {
                        available.Release();
                    }

                    return null;
                }
            }
        }
    }

    private Frame TakeWaiting()
    {
        spare = ReaderFrame;
        ReaderFrame = waiting!;
        waiting = null;
        if (room.CurrentCount == 0)
        {
            room.Release();
        }

        if (completed && available.CurrentCount == 0)
        {
            available.Release();
        }

        return ReaderFrame;
    }
}

/// <summary>What <see cref="FrameSlot.TryTake"/> found.</summary>
public enum SlotState
{
    /// <summary>A frame was taken.</summary>
    Taken,

    /// <summary>No frame is waiting yet.</summary>
    Empty,

    /// <summary>The stream is complete and drained: no frame will come.</summary>
    Completed,
}
