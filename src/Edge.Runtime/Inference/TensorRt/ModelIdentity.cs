using Edge.Runtime.Bundles;

namespace Edge.Runtime.Inference.TensorRt;

/// <summary>
/// What the TensorRT engine cache and optimization profile need to know about a model: its hash and precision, and,
/// when known, its input (name and batch-1 shape) and the largest batch the session is created for.
/// </summary>
public sealed record ModelIdentity(string Sha256, string Precision)
{
    /// <summary>The model's input tensor name; null when only the file is known (then no profile, and the shape keys as unknown).</summary>
    public string? InputName { get; init; }

    /// <summary>The input's shape for one image, batch axis first (<c>[1, 3, 224, 224]</c>); null when unknown.</summary>
    public IReadOnlyList<long>? InputShape { get; init; }

    /// <summary>Whether the batch axis is dynamic (then the provider gets an optimization profile).</summary>
    public bool DynamicBatch { get; init; }

    /// <summary>The largest batch the session will run: the profile's maximum.</summary>
    public int MaxBatch { get; init; } = 1;

    /// <summary>The identity of <paramref name="bundle"/> for a session that runs batches of 1 to <paramref name="maxBatch"/> images.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatch"/> is below 1 or above the bundle's <c>batch.max</c>.</exception>
    public static ModelIdentity For(ModelBundle bundle, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBatch, bundle.Batch.Max);
        var input = bundle.Input;
        long[] shape = input.Layout == TensorLayout.Nchw ? [1, 3, input.Height, input.Width] : [1, input.Height, input.Width, 3];
        return new ModelIdentity(bundle.Sha256, bundle.Precision)
        {
            InputName = bundle.InputName,
            InputShape = shape,
            DynamicBatch = bundle.Batch.Dynamic,
            MaxBatch = maxBatch,
        };
    }
}
