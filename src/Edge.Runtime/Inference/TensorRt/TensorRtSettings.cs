using Edge.Runtime.Options;
namespace Edge.Runtime.Inference.TensorRt;

/// <summary>
/// How the TensorRT provider builds and caches its engines (config section <c>tensorrt</c>, docs/execution-providers.md).
/// Settable so the config file can fill it; <see cref="Validate"/> checks the result.
/// </summary>
public sealed class TensorRtSettings
{
    public const int MaximumBuilderOptimizationLevel = 5;

    /// <summary>
    /// INT8 kernels; unset means on for an int8 bundle. TensorRT 8.x needs the flag even for Q/DQ models, whose
    /// scales then come from the graph rather than a calibration table.
    /// </summary>
    public bool? Int8 { get; set; }

    /// <summary>FP16 kernels, so layers the Q/DQ graph leaves unquantized do not fall back to FP32.</summary>
    public bool Fp16 { get; set; } = true;

    /// <summary>Root of the engine caches; each model and software stack gets its own folder below it.</summary>
    public string? EngineCacheDirectory { get; set; }

    /// <summary>Where TensorRT's layer timing cache lives; unset means the model's engine cache folder.</summary>
    public string? TimingCacheDirectory { get; set; }

    /// <summary>TensorRT's builder workspace; on a Jetson it comes out of the RAM the CPU shares with the GPU.</summary>
    public int WorkspaceMb { get; set; } = 1024;

    /// <summary>0 builds fastest, 5 searches longest for the fastest engine; 3 is TensorRT's default.</summary>
    public int BuilderOptimizationLevel { get; set; } = 3;

    /// <summary>Also write an EPContext model that embeds the built engine, which starts in about a second.</summary>
    public bool DumpEpContext { get; set; }

    /// <summary>Where the EPContext model is written; unset means <c>model_ctx.onnx</c> in the engine cache folder.</summary>
    public string? EpContextPath { get; set; }

    /// <summary>Fail session creation instead of silently running nodes TensorRT cannot take on the CPU.</summary>
    public bool RequireFullGpuPlacement { get; set; }

    public int DeviceId { get; set; }

    /// <summary>
    /// The batch size a dynamic-batch model's engine is tuned for (its optimization profile's opt shape): 1 to the
    /// session's largest batch; unset means the largest, which suits a saturated multi-camera run.
    /// </summary>
    public int? ProfileOptBatch { get; set; }

    /// <summary><c>$XDG_CACHE_HOME/edge/trt</c> for a user's run, <c>/var/cache/edge/trt</c> for the service.</summary>
    public static string DefaultEngineCacheDirectory(Func<string, string?> readEnvironment) =>
        readEnvironment("XDG_CACHE_HOME") is { Length: > 0 } userCache
            ? Path.Join(userCache, "edge", "trt")
            : "/var/cache/edge/trt";

    /// <summary>Whether INT8 is on for a bundle of this precision (fp32, fp16 or int8).</summary>
    public bool Int8For(string bundlePrecision) => Int8 ?? string.Equals(bundlePrecision, "int8", StringComparison.OrdinalIgnoreCase);

    /// <summary>A copy that does not dump an EPContext model (for a session that loads one).</summary>
    public TensorRtSettings WithoutEpContextDump()
    {
        var copy = (TensorRtSettings)MemberwiseClone();
        copy.DumpEpContext = false;
        copy.EpContextPath = null;
        return copy;
    }

    /// <param name="totalMemoryBytes">The machine's RAM: a workspace larger than it cannot be allocated.</param>
    public void Validate(long totalMemoryBytes)
    {
        var totalMb = totalMemoryBytes / (1024 * 1024);
        if (WorkspaceMb < 1 || WorkspaceMb > totalMb)
        {
            throw new SettingException("tensorrt.workspace_mb", WorkspaceMb, $"1 to {totalMb} (this machine's total memory in MiB, which a Jetson's GPU shares)");
        }

        if (BuilderOptimizationLevel is < 0 or > MaximumBuilderOptimizationLevel)
        {
            throw new SettingException("tensorrt.builder_optimization_level", BuilderOptimizationLevel, "0 to 5");
        }

        if (DeviceId < 0)
        {
            throw new SettingException("tensorrt.device_id", DeviceId, "0 or more");
        }

        if (ProfileOptBatch is < 1)
        {
            throw new SettingException("tensorrt.profile_opt_batch", ProfileOptBatch.Value, "1 or more (at most the session's largest batch), or no value for the largest");
        }

        if (EpContextPath is not null && !DumpEpContext)
        {
            throw new SettingException("tensorrt.ep_context_path", EpContextPath, "no value unless tensorrt.dump_ep_context is true");
        }

        RequireNonBlank("tensorrt.engine_cache_directory", EngineCacheDirectory);
        RequireNonBlank("tensorrt.timing_cache_directory", TimingCacheDirectory);
        RequireNonBlank("tensorrt.ep_context_path", EpContextPath);
    }

    private static void RequireNonBlank(string key, string? path)
    {
        if (path is not null && string.IsNullOrWhiteSpace(path))
        {
            throw new SettingException(key, $"'{path}'", "a path, or no value for the default");
        }
    }
}
