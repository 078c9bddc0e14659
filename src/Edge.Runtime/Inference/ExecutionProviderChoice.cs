namespace Edge.Runtime.Inference;

/// <summary>What the user asked for with <c>--ep</c>.</summary>
public enum ExecutionProviderChoice
{
    Auto,
    TensorRt,
    Cuda,
    Cpu,
}

/// <summary>The provider a session ended up on, and why each preferred one was skipped.</summary>
public sealed record ExecutionProviderReport(string Active, IReadOnlyList<string> Skipped)
{
    public override string ToString() =>
        Skipped.Count == 0 ? $"execution provider: {Active}" : $"execution provider: {Active} ({string.Join("; ", Skipped)})";
}

public static class ExecutionProviderNames
{
    public const string TensorRt = "TensorrtExecutionProvider";
    public const string Cuda = "CUDAExecutionProvider";
    public const string Cpu = "CPUExecutionProvider";

    public static ExecutionProviderChoice Parse(string text) => text.ToLowerInvariant() switch
    {
        "auto" => ExecutionProviderChoice.Auto,
        "tensorrt" or "trt" => ExecutionProviderChoice.TensorRt,
        "cuda" => ExecutionProviderChoice.Cuda,
        "cpu" => ExecutionProviderChoice.Cpu,
        _ => throw new ArgumentException($"unknown execution provider '{text}': expected auto, tensorrt, cuda or cpu"),
    };

    /// <summary>Short name used in messages (<c>ep</c> field): tensorrt, cuda or cpu.</summary>
    public static string ShortName(ExecutionProviderChoice choice) => choice switch
    {
        ExecutionProviderChoice.TensorRt => "tensorrt",
        ExecutionProviderChoice.Cuda => "cuda",
        _ => "cpu",
    };
}
