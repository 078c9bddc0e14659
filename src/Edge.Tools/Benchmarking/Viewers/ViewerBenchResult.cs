namespace Edge.Tools.Benchmarking.Viewers;

/// <summary>What <c>edge bench --viewers</c> measured: per viewer count, the pipeline's published rate and latency and the live view's work.</summary>
public sealed record ViewerBenchResult
{
    public required ViewerBenchOptions Options { get; init; }

    public required HostEnvironment Environment { get; init; }

    public required string ModelName { get; init; }

    public required string Precision { get; init; }

    public required string Ep { get; init; }

    public required (int Width, int Height) FrameSize { get; init; }

    public required IReadOnlyList<ViewerCountResult> Counts { get; init; }

    public required double WallSeconds { get; init; }
}

/// <param name="Viewers">Connected during its windows (one of them stalled when there are any).</param>
/// <param name="Fps">Label sets published per second of the windows: the number the viewers must not move.</param>
/// <param name="CpuPercent">Process CPU over the windows (100 = one core): the live view's encoding and sending show here.</param>
/// <param name="JpegPerSecond">Frames the live view encoded per second.</param>
/// <param name="FpsPerReader">Frames each reading viewer received per second, on average.</param>
/// <param name="StalledSent">Frames the stalled viewer's connection took before it filled (summed over windows).</param>
/// <param name="StalledMissed">Frames the stalled viewer missed because it did not read (latest-frame-wins).</param>
public sealed record ViewerCountResult(int Viewers, int Windows, long Frames, long Published, double Seconds, double Fps, LatencySummary EndToEnd, double CpuPercent, double JpegPerSecond, double FpsPerReader, long StalledSent, long StalledMissed);
