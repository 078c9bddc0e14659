using Edge.Camera.Frames;
using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Control;

/// <summary>
/// A stream's camera as <see cref="RuntimeControl"/> sees it: the slot its frames wait in, its counters, and its
/// start and stop (<see cref="CameraPipeline"/> is one). The control never creates sources itself.
/// </summary>
public interface IStreamCamera : IDisposable
{
    /// <summary>The stream id.</summary>
    string Stream { get; }

    /// <summary>The source as configured, credentials masked.</summary>
    string Source { get; }

    /// <summary>Where captured frames wait for the scheduler; made with the scheduler's signal.</summary>
    FrameSlot Slot { get; }

    /// <summary>Frames captured and handed to the slot.</summary>
    long Captured { get; }

    /// <summary>Frames replaced in the slot before the scheduler took them.</summary>
    long Overwritten { get; }

    /// <summary>Whether the source is open and delivering.</summary>
    bool IsConnected { get; }

    /// <summary>Opens the source (a <see cref="Edge.Camera.Sources.FrameSourceException"/> when it cannot) and starts capturing.</summary>
    void Start();

    /// <summary>Stops capturing and completes the slot.</summary>
    void Stop();
}

/// <summary>
/// Makes the camera of a stream added at run time, not yet started: the run command knows where frames come from
/// (sources, frame size, logging); <paramref name="signal"/> is the scheduler's, for the camera's slot.
/// </summary>
/// <exception cref="Edge.Camera.Sources.FrameSourceException">The stream's source names no source this build can read.</exception>
public delegate IStreamCamera StreamCameraFactory(AssembledStream stream, FrameSignal signal);
