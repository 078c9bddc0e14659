using System.Globalization;
using Edge.Runtime.Options;

namespace Edge.Runtime.Inference.TensorRt;

/// <summary>
/// The TensorRT optimization profile of a dynamic-batch model: the engine accepts batches from <see cref="MinBatch"/>
/// to <see cref="MaxBatch"/> and is tuned for <see cref="OptBatch"/>. Passed through ONNX Runtime's
/// <c>trt_profile_min_shapes</c>, <c>trt_profile_opt_shapes</c> and <c>trt_profile_max_shapes</c>, whose format is
/// <c>input:1x3x224x224</c> (several inputs separated by commas; ours have one).
/// </summary>
internal sealed record OptimizationProfile(string InputName, IReadOnlyList<long> InputShape, int MinBatch, int OptBatch, int MaxBatch)
{
    public const string MinShapesKey = "trt_profile_min_shapes";
    public const string OptShapesKey = "trt_profile_opt_shapes";
    public const string MaxShapesKey = "trt_profile_max_shapes";

    /// <summary>The profile for <paramref name="model"/>, or null when its batch axis is fixed or its input is unknown.</summary>
    /// <exception cref="SettingException"><c>tensorrt.profile_opt_batch</c> is above the session's largest batch.</exception>
    public static OptimizationProfile? For(ModelIdentity model, TensorRtSettings settings)
    {
        if (!model.DynamicBatch || model.InputName is not { } name || model.InputShape is not { } shape)
        {
            return null;
        }

        var opt = settings.ProfileOptBatch ?? model.MaxBatch;
        if (opt < 1 || opt > model.MaxBatch)
        {
            throw new SettingException("tensorrt.profile_opt_batch", opt, $"1 to {model.MaxBatch} (the largest batch this session runs), or no value for the largest");
        }

        return new OptimizationProfile(name, shape, 1, opt, model.MaxBatch);
    }

    /// <summary>The three provider options: min, opt and max shape strings.</summary>
    public IEnumerable<KeyValuePair<string, string>> ProviderOptions()
    {
        yield return new(MinShapesKey, Shape(MinBatch));
        yield return new(OptShapesKey, Shape(OptBatch));
        yield return new(MaxShapesKey, Shape(MaxBatch));
    }

    /// <summary>How the engine cache key names this profile: its min, opt and max shape strings, joined by '/'.</summary>
    public string KeyText => $"{Shape(MinBatch)}/{Shape(OptBatch)}/{Shape(MaxBatch)}";

    /// <summary><c>input:NxCxHxW</c> with the batch axis set to <paramref name="batch"/>.</summary>
    public string Shape(int batch) => $"{InputName}:{Dimensions(InputShape, batch)}";

    /// <summary>The dimensions joined by 'x', the first replaced by <paramref name="batch"/>.</summary>
    public static string Dimensions(IReadOnlyList<long> shape, long batch)
    {
        var parts = new string[shape.Count];
        for (var axis = 0; axis < shape.Count; axis++)
        {
            parts[axis] = (axis == 0 ? batch : shape[axis]).ToString(CultureInfo.InvariantCulture);
        }

        return string.Join('x', parts);
    }
}
