using Edge.Camera.Frames;

namespace Edge.Camera.Sources;

public enum FrameReadResult
{
    /// <summary>The target frame was filled.</summary>
    Frame,

    /// <summary>A finite source (non-looping file or folder) has no more frames: the run ends cleanly.</summary>
    EndOfStream,

    /// <summary>The device or stream failed; the capture loop closes it and reconnects with back-off.</summary>
    Failed,
}

/// <summary>
/// A camera, stream, file or generator of frames. Implementations fill a caller-owned <see cref="Frame"/> so the
/// capture loop allocates nothing per frame. <see cref="Open"/> may be called again after a failure to reconnect.
/// </summary>
public interface IFrameSource : IDisposable
{
    /// <summary>What this source reads, for logs and messages (the source string as given).</summary>
    string Description { get; }

    /// <summary>
    /// Frames per second the capture loop should pace reads to, or null when the source paces itself
    /// (cameras, streams) or should be read as fast as the pipeline takes frames.
    /// </summary>
    double? PacingFps { get; }

    /// <summary>How frames reach the pipeline: latest-frame-wins for live sources (the default), lossless for offline
    /// sources that can wait for the pipeline.</summary>
    FrameHandoff Handoff => FrameHandoff.LatestWins;

    /// <summary>Why the last read returned <see cref="FrameReadResult.Failed"/>, as one line, when the source knows.</summary>
    string? FailureReason => null;

    /// <summary>Opens or reopens the source. Throws <see cref="FrameSourceException"/> when it cannot.</summary>
    void Open();

    /// <summary>Closes the device or stream so that <see cref="Open"/> can be tried again.</summary>
    void Close();

    /// <summary>Reads the next frame into <paramref name="target"/>. Throws <see cref="FrameSourceException"/> for
    /// errors that reconnecting cannot fix (an unreadable image file).</summary>
    FrameReadResult Read(Frame target);
}
