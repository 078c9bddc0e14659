namespace Edge.Runtime.HardFrames;

/// <summary>
/// What makes a frame "hard" (worth an annotator's time) and the bounds on saving such frames. See docs/hard-frames.md.
/// </summary>
public sealed record HardFrameOptions
{
    /// <summary>Folder that receives the PNGs and <c>labels.csv</c>; created if missing, appended to if present.</summary>
    public required string Directory { get; init; }

    /// <summary>A label whose score is closer than this to its on-threshold is uncertain (<c>margin:&lt;label&gt;</c>); 0 disables.</summary>
    public double Margin { get; init; } = 0.1;

    /// <summary>Mean binary entropy (bits, 0 to 1) over all labels at or above this is uncertain (<c>entropy</c>); above 1 disables.</summary>
    public double MinMeanEntropy { get; init; } = 0.6;

    /// <summary>|active count - running mean active count| at or above this is an unusual label count (<c>label_count</c>).</summary>
    public double LabelCountDeviation { get; init; } = 2;

    /// <summary>Number of most recent frames (this one included) in which turns on/off are counted for <c>flicker</c>.</summary>
    public int FlickerWindow { get; init; } = 10;

    /// <summary>A label that turned on or off at least this many times within <see cref="FlickerWindow"/> frames flickers.</summary>
    public int FlickerTurns { get; init; } = 3;

    /// <summary>At least this long (monotonic clock) between two saved frames.</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A frame whose 64-bit difference hash differs from the last saved frame's in fewer bits than this is a near-duplicate; 0 disables.</summary>
    public int DuplicateDistance { get; init; } = 6;

    /// <summary>Bound on the bytes of PNGs in the folder (those already there included); once reached, saving stops. Nothing is ever deleted.</summary>
    public long MaxBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Hard frames waiting for the writer; when that many wait, a new one is dropped (counted as queue full).</summary>
    public int QueueCapacity { get; init; } = 4;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option that is out of range and the allowed range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("hard-frames directory is empty: expected a folder path", nameof(Directory));
        }

        Check(Margin is >= 0 and <= 1, nameof(Margin), Margin, "0 <= margin <= 1");
        Check(MinMeanEntropy is > 0, nameof(MinMeanEntropy), MinMeanEntropy, "min mean entropy > 0 (bits; above 1 disables)");
        Check(LabelCountDeviation is > 0, nameof(LabelCountDeviation), LabelCountDeviation, "label count deviation > 0");
        Check(FlickerWindow is >= 1 and <= 1000, nameof(FlickerWindow), FlickerWindow, "1 <= flicker window <= 1000");
        Check(FlickerTurns >= 1 && FlickerTurns <= FlickerWindow, nameof(FlickerTurns), FlickerTurns, "1 <= flicker turns <= flicker window");
        Check(MinInterval >= TimeSpan.Zero, nameof(MinInterval), MinInterval, "min interval >= 0");
        Check(DuplicateDistance is >= 0 and <= 64, nameof(DuplicateDistance), DuplicateDistance, "0 <= duplicate distance <= 64");
        Check(MaxBytes > 0, nameof(MaxBytes), MaxBytes, "max bytes > 0");
        Check(QueueCapacity is >= 1 and <= 1024, nameof(QueueCapacity), QueueCapacity, "1 <= queue capacity <= 1024");
    }

    private static void Check(bool ok, string name, object value, string range)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"hard-frames option {name} is {value}: expected {range}");
        }
    }
}

/// <summary>What <see cref="HardFrameCapture.Offer"/> did with a frame.</summary>
public enum HardFrameOutcome
{
    /// <summary>The model was sure about the frame; nothing to save.</summary>
    NotHard,

    /// <summary>Hard, and queued for the background writer (see <see cref="HardFrameCapture.Saved"/> for frames written).</summary>
    Saved,

    /// <summary>Hard, but less than <see cref="HardFrameOptions.MinInterval"/> after the last saved frame.</summary>
    RateLimited,

    /// <summary>Hard, but a near-duplicate of the last saved frame.</summary>
    Duplicate,

    /// <summary>Hard, but the writer's queue was full.</summary>
    QueueFull,

    /// <summary>Hard, but the folder reached <see cref="HardFrameOptions.MaxBytes"/>.</summary>
    DiskFull,

    /// <summary>Hard, but the device had no space left at the last try (tried again every <see cref="HardFrameCapture.NoSpaceRetryInterval"/>).</summary>
    NoSpace,
}
