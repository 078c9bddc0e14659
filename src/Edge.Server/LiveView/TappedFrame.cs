using Edge.Camera.Frames;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Server.LiveView;

/// <summary>
/// A copy of one frame's pixels and report, made on the frame thread into buffers that are reused (they grow only
/// when a larger frame or message comes), and read by the encoder thread.
/// </summary>
internal sealed class TappedFrame
{
    private byte[] pixels = [];
    private byte[] message = [];

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Packed BGR24, <c>Width * 3</c> bytes per row.</summary>
    public ReadOnlySpan<byte> Pixels => pixels.AsSpan(0, Width * Height * 3);

    /// <summary>The pixel buffer itself (for wrapping in an OpenCV image without a copy); may be longer than <see cref="Pixels"/>.</summary>
    public byte[] PixelBuffer => pixels;

    public string Stream { get; private set; } = "";

    public string Head { get; private set; } = "";

    public long Frame { get; private set; }

    public FrameOutcome Outcome { get; private set; }

    public StageLatency Latency { get; private set; }

    public double EndToEndMs { get; private set; }

    public int Level { get; private set; }

    /// <summary>When it was tapped (<see cref="TimeProvider.GetTimestamp"/> units).</summary>
    public long TappedAt { get; private set; }

    /// <summary>The label-set message without its newline; empty when the frame published none.</summary>
    public ReadOnlySpan<byte> Message => message.AsSpan(0, MessageLength);

    public int MessageLength { get; private set; }

    /// <summary>Grows the buffers to at least <paramref name="other"/>'s, so a frame it held fits here too.</summary>
    public void Reserve(TappedFrame other)
    {
        if (pixels.Length < other.pixels.Length)
        {
            pixels = new byte[other.pixels.Length];
        }

        if (message.Length < other.message.Length)
        {
            message = new byte[other.message.Length];
        }
    }

    public void CopyFrom(in FrameReport report, Frame image, long tappedAt)
    {
        var length = image.ByteLength;
        if (pixels.Length < length)
        {
            pixels = new byte[length];
        }

        image.PixelSpan.CopyTo(pixels);
        Width = image.Width;
        Height = image.Height;

        var line = report.Message.Span;
        if (line.Length > 0 && line[^1] == (byte)'\n')
        {
            line = line[..^1];
        }

        if (message.Length < line.Length)
        {
            message = new byte[Math.Max(line.Length, 2 * message.Length)];
        }

        line.CopyTo(message);
        MessageLength = line.Length;
        Stream = report.Stream;
        Head = report.Model;
        Frame = report.Frame;
        Outcome = report.Outcome;
        Latency = report.Latency;
        EndToEndMs = report.EndToEndMs;
        Level = report.Level;
        TappedAt = tappedAt;
    }
}
