using Edge.Runtime.Pipeline;

namespace Edge.Server.Api;

/// <summary>A model swap that switched: the new model, how long each step took, and where each stream switched.</summary>
public sealed record SwapAnswer(string Head, string Model, string Sha256, SwapTimingsAnswer TimingsMs, IReadOnlyList<StreamSwitchAnswer> Streams)
{
    internal static SwapAnswer From(SwapResult result) => new(
        result.Head,
        result.Model!,
        result.Sha256!,
        new SwapTimingsAnswer(result.Timings.LoadMs, result.Timings.CreateMs, result.Timings.WarmUpMs, result.Timings.WaitMs, result.Timings.TotalMs),
        [.. result.Streams.Select(stream => new StreamSwitchAnswer(stream.Stream, stream.LastFrameOnOldModel))]);
}

/// <summary>Milliseconds: loading and verifying the bundle, creating its session, warming it up, waiting for a batch boundary, all of it.</summary>
public sealed record SwapTimingsAnswer(double Load, double Create, double WarmUp, double Wait, double Total);

/// <summary>The stream's last frame labelled by the old model (by sequence number); every later one has the new model.</summary>
public sealed record StreamSwitchAnswer(string Stream, long LastFrameOnOldModel);
