using Edge.Runtime.Control;
using Microsoft.AspNetCore.Http;

namespace Edge.Server.Api;

/// <summary>
/// The running pipeline as the control API reaches it. The server starts before the model loads (so probes answer
/// during a long engine build); the run attaches its <see cref="RuntimeControl"/> once the pipeline is warmed up and
/// stops it when frames stop. Before and after, every control request is answered 503.
/// </summary>
public sealed class ControlTarget
{
    private volatile RuntimeControl? control;
    private volatile bool stopped;

    /// <summary>The pipeline is assembled and warmed up; frames flow next.</summary>
    public void Attach(RuntimeControl running) => control = running;

    /// <summary>The pipeline took its last frame: a change could never reach a frame now.</summary>
    public void Stop() => stopped = true;

    internal RuntimeControl Current =>
        stopped ? throw new ApiRefusal(StatusCodes.Status503ServiceUnavailable, "the run is stopping: no frame will be processed again")
        : control ?? throw new ApiRefusal(StatusCodes.Status503ServiceUnavailable, "the run is still starting (loading or warming up the model): expected a request once /readyz answers 200");
}
