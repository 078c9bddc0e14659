namespace Edge.Runtime.Inference;

/// <summary>
/// When ONNX Runtime's intra-op worker threads busy-wait instead of sleeping (<c>cpu_spin</c>, docs/benchmarking.md
/// "Latency at camera rate"). Spinning keeps the workers on their cores, so the next operator — or the next frame —
/// starts without a wake-up; it costs a core's worth of CPU for as long as they spin.
/// </summary>
public enum CpuSpin
{
    /// <summary>ONNX Runtime's default: workers spin between operators and keep spinning after a run ends.</summary>
    Always,

    /// <summary>Workers spin between the operators of a run and sleep as soon as the run ends.</summary>
    DuringRun,

    /// <summary>Workers never spin: they sleep whenever they have no work, even between operators.</summary>
    Never,
}

public static class CpuSpinNames
{
    public const string Expected = "always, during-run or never";

    public static CpuSpin Parse(string text) => text.ToLowerInvariant() switch
    {
        "always" => CpuSpin.Always,
        "during-run" => CpuSpin.DuringRun,
        "never" => CpuSpin.Never,
        _ => throw new ArgumentException($"unknown cpu spin mode '{text}': expected {Expected}"),
    };

    public static string Name(this CpuSpin spin) => spin switch
    {
        CpuSpin.DuringRun => "during-run",
        CpuSpin.Never => "never",
        _ => "always",
    };

    /// <summary>The ONNX Runtime session configuration entries that select <paramref name="spin"/>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> SessionConfigEntries(this CpuSpin spin) => spin switch
    {
        CpuSpin.DuringRun =>
        [
            new("session.intra_op.allow_spinning", "1"),
            new("session.force_spinning_stop", "1"),
        ],
        CpuSpin.Never => [new("session.intra_op.allow_spinning", "0")],
        _ => [new("session.intra_op.allow_spinning", "1")],
    };
}
