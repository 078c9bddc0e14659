using System.Globalization;

namespace Edge.Runtime.Inference.TensorRt;

/// <summary>A TensorRT or CUDA setting outside its range; the message names the config key and what it accepts.</summary>
public sealed class ExecutionProviderSettingsException : ArgumentException
{
    public ExecutionProviderSettingsException(string key, object? value, string expected)
        : base($"setting '{key}' is {Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null"}: expected {expected}")
    {
        Key = key;
    }

    /// <summary>The config key, for example <c>tensorrt.workspace_mb</c>.</summary>
    public string Key { get; }
}
