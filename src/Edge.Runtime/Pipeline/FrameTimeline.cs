namespace Edge.Runtime.Pipeline;

/// <summary>Per-frame outcomes in arrival order (for timelines in reports), preallocated: recording allocates nothing.</summary>
public sealed class FrameTimeline(int capacity)
{
    private readonly long[] capturedAt = new long[capacity];
    private readonly float[] endToEndMs = new float[capacity];
    private readonly FrameOutcome[] outcomes = new FrameOutcome[capacity];

    /// <summary>Frames recorded (at most the capacity; later frames are counted in <see cref="Overflow"/> only).</summary>
    public int Count { get; private set; }

    public long Overflow { get; private set; }

    public long CapturedAt(int index) => capturedAt[index];

    /// <summary>Capture to publish, or to the moment the frame was given up; NaN for frames dropped before processing.</summary>
    public float EndToEndMs(int index) => endToEndMs[index];

    public FrameOutcome Outcome(int index) => outcomes[index];

    public void Record(long captured, double endToEnd, FrameOutcome outcome)
    {
        if (Count == capturedAt.Length)
        {
            Overflow++;
            return;
        }

        capturedAt[Count] = captured;
        endToEndMs[Count] = (float)endToEnd;
        outcomes[Count] = outcome;
        Count++;
    }

    public void Clear()
    {
        Count = 0;
        Overflow = 0;
    }
}
