using Edge.Runtime.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Edge.Server.Api;

/// <summary>
/// The running pipeline as the control API reaches it. The server starts before the model loads (so probes answer
/// during a long engine build); the run attaches the pipeline once it is warmed up and stops it when frames stop.
/// Before and after, every control request is answered 503.
/// </summary>
public sealed class ControlTarget
{
    private volatile Attached? attached;
    private volatile bool stopped;

    /// <summary>The pipeline is assembled and warmed up: <paramref name="swap"/> replaces the models of <paramref name="heads"/>.</summary>
    public void Attach(ModelSwap swap, IReadOnlyList<string> heads) => attached = new Attached(swap, heads);

    /// <summary>The pipeline took its last frame: a change could never reach a frame now.</summary>
    public void Stop() => stopped = true;

    internal Attached Current =>
        stopped ? throw new ApiRefusal(StatusCodes.Status503ServiceUnavailable, "the run is stopping: no frame will be processed again")
        : attached ?? throw new ApiRefusal(StatusCodes.Status503ServiceUnavailable, "the run is still starting (loading or warming up the model): expected a request once /readyz answers 200");

    internal sealed record Attached(ModelSwap Swap, IReadOnlyList<string> Heads);
}
