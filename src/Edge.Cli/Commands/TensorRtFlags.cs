using Edge.Runtime.Inference.TensorRt;

namespace Edge.Cli.Commands;

/// <summary>The TensorRT command-line flags, layered over the config file's <c>tensorrt</c> object.</summary>
internal static class TensorRtFlags
{
    /// <returns>Null when neither the file nor a flag says anything (the defaults apply).</returns>
    public static TensorRtSettings? Apply(TensorRtSettings? fromFile, string? engineCache, bool? fp16)
    {
        if (engineCache is null && fp16 is null)
        {
            return fromFile;
        }

        var settings = fromFile ?? new TensorRtSettings();
        if (engineCache is not null)
        {
            settings.EngineCacheDirectory = engineCache;
        }

        if (fp16 is { } enabled)
        {
            settings.Fp16 = enabled;
        }

        return settings;
    }
}
