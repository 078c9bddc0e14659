namespace Edge.Runtime.Bundles;

/// <summary>
/// The model's batch axis, from the manifest's <c>batch</c> object: dynamic (the runtime may form batches of 1 to
/// <see cref="Max"/> images) or fixed (the ONNX file's own batch dimension, which must be 1; <see cref="Max"/> is 1).
/// </summary>
public sealed record BatchAxis(bool Dynamic, int Max)
{
    /// <summary>The largest <c>batch.max</c> a manifest may give.</summary>
    public const int LargestMax = 256;

    /// <summary>What a manifest without a <c>batch</c> object means.</summary>
    public static BatchAxis Fixed { get; } = new(false, 1);
}
