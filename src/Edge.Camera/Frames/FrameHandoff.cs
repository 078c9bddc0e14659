namespace Edge.Camera.Frames;

/// <summary>How a <see cref="FrameSlot"/> passes frames from the capture thread to the pipeline.</summary>
public enum FrameHandoff
{
    /// <summary>Live sources (cameras, streams, real-time files): the newest frame wins; an untaken one is overwritten.</summary>
    LatestWins,

    /// <summary>Offline sources (image folders, files decoded as fast as possible): the writer waits until the pipeline
    /// has taken the previous frame, so every frame is processed, in order.</summary>
    Lossless,
}
