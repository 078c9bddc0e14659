using System.Globalization;
using Edge.Runtime.Options;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Runtime.Inference.TensorRt;

/// <summary>Turns <see cref="TensorRtSettings"/> into ONNX Runtime's TensorRT provider options and applies them.</summary>
internal static class TensorRtProviderOptions
{
    /// <summary>Session config key that makes session creation fail when some node would run on the CPU.</summary>
    public const string DisableCpuFallbackKey = "session.disable_cpu_ep_fallback";

    public const string EpContextFileName = "model_ctx.onnx";

    private const long BytesPerMb = 1024 * 1024;

    /// <summary>ONNX Runtime's TensorRT option keys and values for one model's engine cache folder.</summary>
    /// <param name="int8">From <see cref="TensorRtSettings.Int8For"/>: the default depends on the bundle.</param>
    /// <param name="profile">The optimization profile of a dynamic-batch model; null for a fixed batch axis (no profile options).</param>
    public static Dictionary<string, string> ToDictionary(TensorRtSettings settings, string cacheDirectory, bool int8, OptimizationProfile? profile = null)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["device_id"] = Number(settings.DeviceId),
            ["trt_int8_enable"] = Flag(int8),
            ["trt_fp16_enable"] = Flag(settings.Fp16),
            ["trt_engine_cache_enable"] = Flag(true),
            ["trt_engine_cache_path"] = cacheDirectory,
            ["trt_timing_cache_enable"] = Flag(true),
            ["trt_timing_cache_path"] = settings.TimingCacheDirectory ?? cacheDirectory,
            ["trt_max_workspace_size"] = (settings.WorkspaceMb * BytesPerMb).ToString(CultureInfo.InvariantCulture),
            ["trt_builder_optimization_level"] = Number(settings.BuilderOptimizationLevel),
            ["trt_dump_ep_context_model"] = Flag(settings.DumpEpContext),
        };
        if (settings.DumpEpContext)
        {
            options["trt_ep_context_file_path"] = settings.EpContextPath ?? Path.Join(cacheDirectory, EpContextFileName);
        }

        if (profile is not null)
        {
            foreach (var (key, value) in profile.ProviderOptions())
            {
                options[key] = value;
            }
        }

        return options;
    }

    /// <summary>Session config entries the settings ask for, beyond the provider's own options.</summary>
    public static Dictionary<string, string> SessionConfigEntries(TensorRtSettings settings) =>
        settings.RequireFullGpuPlacement ? new() { [DisableCpuFallbackKey] = "1" } : [];

    /// <summary>
    /// Validates the settings, creates the model's keyed engine cache folder (with its <c>cache-key.json</c>) and
    /// appends the TensorRT provider to <paramref name="sessionOptions"/>. Returns the cache folder, and the EPContext
    /// model to load instead of the ONNX file when one was dumped there before (near-instant start-up), else null.
    /// </summary>
    /// <exception cref="SettingException">A setting is out of range.</exception>
    /// <exception cref="InvalidOperationException">This ONNX Runtime build has no TensorRT provider.</exception>
    public static (string CacheDirectory, string? ContextModel) AppendTo(SessionOptions sessionOptions, TensorRtSettings settings, ModelIdentity model, string root = "/")
    {
        settings.Validate(MachineMemory.TotalBytes(root));
        RequireProvider(ExecutionProviderNames.TensorRt);

        var int8 = settings.Int8For(model.Precision);
        var profile = OptimizationProfile.For(model, settings);
        var key = EngineCacheKey.For(GpuStack.Detect(root), model, profile, int8, settings.Fp16);
        var cacheRoot = settings.EngineCacheDirectory ?? TensorRtSettings.DefaultEngineCacheDirectory(Environment.GetEnvironmentVariable);
        var cacheDirectory = key.CreateDirectory(cacheRoot);
        if (settings.TimingCacheDirectory is { } timingCache)
        {
            Directory.CreateDirectory(timingCache);
        }

        var contextModel = ExistingContextModel(settings, cacheDirectory);
        using var providerOptions = new OrtTensorRTProviderOptions();
        // Loading a context model: it already is the dump, so do not dump again.
        providerOptions.UpdateOptions(ToDictionary(contextModel is null ? settings : settings.WithoutEpContextDump(), cacheDirectory, int8, profile));
        foreach (var (name, value) in SessionConfigEntries(settings))
        {
            sessionOptions.AddSessionConfigEntry(name, value);
        }

        sessionOptions.AppendExecutionProvider_Tensorrt(providerOptions);
        return (cacheDirectory, contextModel);
    }

    /// <summary>
    /// The EPContext model a previous run dumped for this exact key (it lives in the keyed cache folder unless
    /// <c>ep_context_path</c> moves it), when dumping is on and the file exists; else null.
    /// </summary>
    public static string? ExistingContextModel(TensorRtSettings settings, string cacheDirectory)
    {
        if (!settings.DumpEpContext)
        {
            return null;
        }

        var path = settings.EpContextPath ?? Path.Join(cacheDirectory, EpContextFileName);
        return File.Exists(path) ? path : null;
    }

    /// <summary>Checked first so a CPU-only build fails with this line rather than a native error.</summary>
    internal static void RequireProvider(string providerName)
    {
        var available = SessionFactory.AvailableProviders();
        if (!available.Contains(providerName))
        {
            throw new InvalidOperationException(
                $"this ONNX Runtime build has no {providerName} (available: {string.Join(", ", available)}): its provider options cannot be applied (docs/execution-providers.md)");
        }
    }

    private static string Flag(bool value) => value ? "1" : "0";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
