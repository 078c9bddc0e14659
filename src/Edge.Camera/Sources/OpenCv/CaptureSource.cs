using Edge.Camera.Frames;
using OpenCvSharp;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>
/// A source read through <see cref="VideoCapture"/>: opening creates the capture, closing releases it, and one
/// <see cref="Mat"/> per source receives every frame before it is copied into the caller's BGR24 frame.
/// </summary>
internal abstract class CaptureSource : IFrameSource
{
    private VideoCapture? capture;
    private Mat? mat;
    private bool disposed;

    protected CaptureSource(string description)
    {
        Description = description;
    }

    public string Description { get; }

    public virtual double? PacingFps => null;

    public virtual FrameHandoff Handoff => FrameHandoff.LatestWins;

    protected VideoCapture? Capture => capture;

    /// <summary>Frames read since the source was opened or last rewound.</summary>
    protected long FramesInPass { get; private set; }

    public void Open()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Close();
        mat ??= new Mat();
        capture = OpenCapture();
        FramesInPass = 0;
    }

    public void Close()
    {
        capture?.Dispose();
        capture = null;
    }

    public FrameReadResult Read(Frame target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (capture is null || mat is null)
        {
            return FrameReadResult.Failed;
        }

        if (!capture.Read(mat) || mat.Empty())
        {
            if (!Rewind(capture))
            {
                return NoFrameResult;
            }

            FramesInPass = 0;
            if (!capture.Read(mat) || mat.Empty())
            {
                throw new FrameSourceException($"source '{Description}' has no readable frames after rewinding: expected a video with at least one frame");
            }
        }

        FramesInPass++;
        MatPixels.CopyToFrame(mat, target, Description);
        target.ClearTruth();
        return FrameReadResult.Frame;
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Close();
        mat?.Dispose();
        mat = null;
    }

    /// <summary>Creates and opens the capture, or throws <see cref="FrameSourceException"/> saying why it cannot.</summary>
    protected abstract VideoCapture OpenCapture();

    /// <summary>What a read that returns no image means: <see cref="FrameReadResult.Failed"/> (reconnect) for live
    /// sources, <see cref="FrameReadResult.EndOfStream"/> for files.</summary>
    protected virtual FrameReadResult NoFrameResult => FrameReadResult.Failed;

    /// <summary>Called when a read returns no image: rewinds a looping source after its last frame; true means the
    /// read is retried once.</summary>
    protected virtual bool Rewind(VideoCapture opened) => false;

    /// <summary>Disposes a capture that failed to open and returns the exception to throw.</summary>
    protected static FrameSourceException OpenFailed(VideoCapture created, string message)
    {
        created.Dispose();
        return new FrameSourceException(message);
    }
}
