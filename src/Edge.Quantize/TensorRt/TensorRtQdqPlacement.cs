using System.Collections.Frozen;

namespace Edge.Quantize.TensorRt;

/// <summary>Where TensorRT can use a DequantizeLinear output, kept in one place so the rule and its source stay together.</summary>
internal static class TensorRtQdqPlacement
{
    /// <summary>
    /// Operators a DequantizeLinear may feed: TensorRT fuses DQ into the weighted and arithmetic layers and
    /// propagates Q/DQ across the data-movement and pointwise ones. Taken from the "Q/DQ Layer-Placement
    /// Recommendations" and Q/DQ propagation sections of TensorRT's developer guide, "Explicit Quantization"
    /// (https://docs.nvidia.com/deeplearning/tensorrt/latest/inference-library/quantized-types-explicit-quantization.html).
    /// Elsewhere the Q/DQ pair can neither fuse nor move, so it runs as separate layers with no INT8 gain.
    /// </summary>
    public static readonly FrozenSet<string> FusibleDequantizeConsumers = FrozenSet.Create(
        StringComparer.Ordinal,
        "Conv", "ConvTranspose", "Gemm", "MatMul",
        "Add", "Sub", "Mul", "Concat",
        "MaxPool", "AveragePool", "GlobalAveragePool",
        "Relu", "LeakyRelu", "Sigmoid", "Clip",
        "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Pad", "Resize",
        "ReduceMean", "ReduceMax", "Softmax", "BatchNormalization");
}
