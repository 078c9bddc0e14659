namespace Edge.Quantize.Graph;

/// <summary>What the quantizer does with each operator type.</summary>
public static class OperatorSupport
{
    /// <summary>Operators with a weight input that is quantized per channel: name -> input index of the weight.</summary>
    public static readonly IReadOnlyDictionary<string, int> WeightOperators = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["Conv"] = 1,
        ["Gemm"] = 1,
        ["MatMul"] = 1,
    };

    /// <summary>Operators ONNX Runtime's CPU EP runs on quantized tensors when they form a complete node unit.</summary>
    public static readonly IReadOnlySet<string> CpuQuantized = new HashSet<string>(StringComparer.Ordinal)
    {
        "Conv", "Gemm", "MatMul", "Add", "Mul", "MaxPool", "AveragePool", "GlobalAveragePool", "Concat",
    };

    /// <summary>Operators whose activation inputs get Q/DQ for TensorRT (it fuses them with the Q/DQ; others it propagates through).</summary>
    public static readonly IReadOnlySet<string> TensorRtQuantized = new HashSet<string>(StringComparer.Ordinal)
    {
        "Conv", "Gemm", "MatMul", "Add",
    };

    /// <summary>Activations folded into the quantized node before them (the quantization range clamps as they do).</summary>
    public static readonly IReadOnlySet<string> RemovableActivations = new HashSet<string>(StringComparer.Ordinal) { "Relu", "Clip" };

    /// <summary>Operators left in float without comment: supported, just not worth or not possible to quantize.</summary>
    public static readonly IReadOnlySet<string> FloatOperators = new HashSet<string>(StringComparer.Ordinal)
    {
        "Relu", "Clip", "Sigmoid", "Reshape", "Flatten", "BatchNormalization", "Constant", "Identity", "Shape", "Gather",
        "Squeeze", "Unsqueeze", "Transpose", "Softmax", "ReduceMean", "ReduceMax", "Pad", "Resize", "Dropout", "Sub", "Div",
        "Cast", "Slice", "Split", "Tanh", "LeakyRelu", "HardSigmoid", "HardSwish", "GlobalMaxPool",
    };

    /// <summary>Every operator the quantizer understands.</summary>
    public static bool IsSupported(string op) =>
        CpuQuantized.Contains(op) || TensorRtQuantized.Contains(op) || FloatOperators.Contains(op);

    public static IReadOnlySet<string> Quantized(QuantizationTarget target) =>
        target == QuantizationTarget.Cpu ? CpuQuantized : TensorRtQuantized;
}
