namespace Edge.Runtime.Pipeline;

/// <summary>
/// How a model swap went: switched, or why not (the running model is then untouched), with the time each step took.
/// </summary>
/// <param name="Head">The head whose model was (to be) replaced.</param>
/// <param name="Failure">One line naming what was wrong and what was expected; null when the swap succeeded.</param>
/// <param name="Model">The new model's name (manifest <c>name</c>), once its bundle loaded.</param>
/// <param name="Sha256">The new model's hash, once its bundle loaded.</param>
/// <param name="Streams">Per stream fed by the head, where its frames switched; empty unless the swap succeeded.</param>
public sealed record SwapResult(string Head, string? Failure, string? Model, string? Sha256, SwapTimings Timings, IReadOnlyList<StreamSwitch> Streams)
{
    public bool Succeeded => Failure is null;
}

/// <summary>
/// Wall-clock time of each step of a swap, in ms: loading and verifying the bundle, creating its session, warming it up
/// (every batch size), waiting for the frame thread's next batch boundary, and all of it. A step not reached is 0.
/// </summary>
public readonly record struct SwapTimings(double LoadMs, double CreateMs, double WarmUpMs, double WaitMs, double TotalMs);

/// <summary>
/// Where one stream switched models: frame <paramref name="LastFrameOnOldModel"/> (its sequence number; 0 when the
/// stream had finished none) was the last one the old model labelled; every later frame of the stream is the new model's.
/// </summary>
public sealed record StreamSwitch(string Stream, long LastFrameOnOldModel);
