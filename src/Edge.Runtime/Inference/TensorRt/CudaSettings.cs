using Edge.Runtime.Options;
namespace Edge.Runtime.Inference.TensorRt;

/// <summary>The CUDA provider's settings (config section <c>cuda</c>); values are ONNX Runtime's own option values.</summary>
public sealed class CudaSettings
{
    public static readonly IReadOnlyList<string> ArenaExtendStrategies = ["kNextPowerOfTwo", "kSameAsRequested"];

    public static readonly IReadOnlyList<string> CudnnConvAlgoSearches = ["EXHAUSTIVE", "HEURISTIC", "DEFAULT"];

    public int DeviceId { get; set; }

    /// <summary>kSameAsRequested wastes less of a Jetson's shared memory; kNextPowerOfTwo reallocates less often.</summary>
    public string ArenaExtendStrategy { get; set; } = "kNextPowerOfTwo";

    /// <summary>EXHAUSTIVE finds the fastest convolutions but makes the first inference slow.</summary>
    public string CudnnConvAlgoSearch { get; set; } = "EXHAUSTIVE";

    public void Validate()
    {
        if (DeviceId < 0)
        {
            throw new SettingException("cuda.device_id", DeviceId, "0 or more");
        }

        if (!ArenaExtendStrategies.Contains(ArenaExtendStrategy, StringComparer.Ordinal))
        {
            throw new SettingException("cuda.arena_extend_strategy", ArenaExtendStrategy, string.Join(" or ", ArenaExtendStrategies));
        }

        if (!CudnnConvAlgoSearches.Contains(CudnnConvAlgoSearch, StringComparer.Ordinal))
        {
            throw new SettingException("cuda.cudnn_conv_algo_search", CudnnConvAlgoSearch, string.Join(", ", CudnnConvAlgoSearches));
        }
    }
}
