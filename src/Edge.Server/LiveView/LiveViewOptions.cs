namespace Edge.Server.LiveView;

/// <summary>
/// What the live view costs at most: how often a watched stream's frame is copied and encoded, how large and how good
/// its JPEG is, how many people may watch, and how long a viewer that stopped reading keeps its connection.
/// </summary>
public sealed record LiveViewOptions
{
    private readonly double maxFps = 15;
    private readonly int jpegQuality = 75;
    private readonly int maxWidth = 1280;
    private readonly int maxHeight = 720;
    private readonly int maxViewers = 16;
    private readonly TimeSpan sendTimeout = TimeSpan.FromSeconds(15);
    private readonly TimeSpan snapshotWait = TimeSpan.FromSeconds(3);

    /// <summary>Frames per second a watched stream is copied and encoded at, at most (0.1 to 60).</summary>
    public double MaxFps
    {
        get => maxFps;
        init => maxFps = value is >= 0.1 and <= 60 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"live view max fps is {value}, expected 0.1 to 60");
    }

    /// <summary>JPEG quality, 1 (smallest) to 100 (best).</summary>
    public int JpegQuality
    {
        get => jpegQuality;
        init => jpegQuality = value is >= 1 and <= 100 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"live view JPEG quality is {value}, expected 1 to 100");
    }

    /// <summary>Larger frames are scaled down (keeping their aspect) to fit this width before encoding (16 to 4096).</summary>
    public int MaxWidth
    {
        get => maxWidth;
        init => maxWidth = value is >= 16 and <= 4096 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"live view max width is {value}, expected 16 to 4096 pixels");
    }

    /// <summary>Larger frames are scaled down (keeping their aspect) to fit this height before encoding (16 to 4096).</summary>
    public int MaxHeight
    {
        get => maxHeight;
        init => maxHeight = value is >= 16 and <= 4096 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"live view max height is {value}, expected 16 to 4096 pixels");
    }

    /// <summary>Viewers (WebSocket and MJPEG together) at once; more are answered 503 (1 to 1024).</summary>
    public int MaxViewers
    {
        get => maxViewers;
        init => maxViewers = value is >= 1 and <= 1024 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"live view max viewers is {value}, expected 1 to 1024");
    }

    /// <summary>A viewer that has not taken one frame for this long (it stopped reading) is disconnected.</summary>
    public TimeSpan SendTimeout
    {
        get => sendTimeout;
        init => sendTimeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"live view send timeout is {value}, expected a positive duration");
    }

    /// <summary>How long a snapshot request waits for a frame when the stream has none recent; then 503.</summary>
    public TimeSpan SnapshotWait
    {
        get => snapshotWait;
        init => snapshotWait = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"live view snapshot wait is {value}, expected a positive duration");
    }

    /// <summary>The device name written into events (as in every <c>edge.event/1</c> message).</summary>
    public string Device { get; init; } = "edge";

    /// <summary>
    /// The streams known from the start (the page lists them before their first frame, with their labels and
    /// thresholds); streams that report frames later (added at run time) are shown too, learnt from their frames.
    /// </summary>
    public IReadOnlyList<ViewedStream> Streams { get; init; } = [];
}

/// <summary>A stream as the page first shows it: its heads (the first is shown) and the labels with their thresholds.</summary>
public sealed record ViewedStream(string Id, IReadOnlyList<string> Heads, IReadOnlyList<ViewedLabel> Labels);

/// <summary>A label and the thresholds it turns on at and off below.</summary>
public sealed record ViewedLabel(string Name, double Threshold, double OffThreshold);
