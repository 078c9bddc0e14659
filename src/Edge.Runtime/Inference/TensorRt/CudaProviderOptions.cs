using System.Globalization;
using Edge.Runtime.Options;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Runtime.Inference.TensorRt;

/// <summary>Turns <see cref="CudaSettings"/> into ONNX Runtime's CUDA provider options and applies them.</summary>
internal static class CudaProviderOptions
{
    public static Dictionary<string, string> ToDictionary(CudaSettings settings) => new(StringComparer.Ordinal)
    {
        ["device_id"] = settings.DeviceId.ToString(CultureInfo.InvariantCulture),
        ["arena_extend_strategy"] = settings.ArenaExtendStrategy,
        ["cudnn_conv_algo_search"] = settings.CudnnConvAlgoSearch,
    };

    /// <exception cref="SettingException">A setting is out of range.</exception>
    /// <exception cref="InvalidOperationException">This ONNX Runtime build has no CUDA provider.</exception>
    public static void AppendTo(SessionOptions sessionOptions, CudaSettings settings)
    {
        settings.Validate();
        TensorRtProviderOptions.RequireProvider(ExecutionProviderNames.Cuda);
        using var providerOptions = new OrtCUDAProviderOptions();
        providerOptions.UpdateOptions(ToDictionary(settings));
        sessionOptions.AppendExecutionProvider_CUDA(providerOptions);
    }
}
