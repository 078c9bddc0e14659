namespace Edge.Camera.Frames;

/// <summary>
/// One captured image in packed BGR24 (OpenCV's order) plus what the pipeline needs to judge its age.
/// Frames are pooled: the pixel buffer is allocated once per pool slot and reused.
/// </summary>
public sealed class Frame
{
    private int[] truth = new int[8];

    public Frame(int width, int height)
    {
        Resize(width, height);
    }

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Packed BGR24 pixels, row-major, <c>Width * 3</c> bytes per row. May be longer than needed.</summary>
    public byte[] Pixels { get; private set; } = [];

    public int ByteLength => Width * Height * 3;

    /// <summary>Monotonic capture time in <see cref="TimeProvider.GetTimestamp"/> units.</summary>
    public long CapturedAt { get; set; }

    /// <summary>
    /// True when the frame came through a lossless hand-off, where waiting for the pipeline is by design: its latency
    /// budget counts from when the pipeline took it, not from capture (set by <see cref="FrameSlot"/>).
    /// </summary>
    public bool BudgetFromHandoff { get; set; }

    /// <summary>Sequence number assigned by the capture loop, counting every frame read from the source.</summary>
    public long Sequence { get; set; }

    /// <summary>Ground-truth label indices (synthetic frames only); <see cref="HasTruth"/> says whether it is known.</summary>
    public ReadOnlySpan<int> Truth => truth.AsSpan(0, TruthCount);

    public int TruthCount { get; private set; }

    public bool HasTruth { get; private set; }

    public Span<byte> PixelSpan => Pixels.AsSpan(0, ByteLength);

    /// <summary>Makes the buffer fit the given size, reallocating only when it grows.</summary>
    public void Resize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        if (Pixels.Length < width * height * 3)
        {
            Pixels = new byte[width * height * 3];
        }
    }

    public void ClearTruth()
    {
        TruthCount = 0;
        HasTruth = false;
    }

    public void SetTruth(ReadOnlySpan<int> labels)
    {
        if (truth.Length < labels.Length)
        {
            truth = new int[labels.Length];
        }

        labels.CopyTo(truth);
        TruthCount = labels.Length;
        HasTruth = true;
    }

    /// <summary>Copies another frame's pixels and ground truth (not its timestamp or sequence number) into this one.</summary>
    public void CopyFrom(Frame other)
    {
        Resize(other.Width, other.Height);
        other.PixelSpan.CopyTo(PixelSpan);
        if (other.HasTruth)
        {
            SetTruth(other.Truth);
        }
        else
        {
            ClearTruth();
        }
    }
}
