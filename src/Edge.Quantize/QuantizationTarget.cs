namespace Edge.Quantize;

/// <summary>Which INT8 flavour to produce: one does not fit both (DESIGN.md §6).</summary>
public enum QuantizationTarget
{
    /// <summary>uint8 asymmetric activations, int8 per-channel weights, complete node units ONNX Runtime's CPU EP fuses into QLinear operators.</summary>
    Cpu,

    /// <summary>int8 symmetric activations (zero point 0), int8 per-channel weights, Q/DQ only where TensorRT fuses them.</summary>
    TensorRt,
}

public static class QuantizationTargetNames
{
    public static string Name(this QuantizationTarget target) => target == QuantizationTarget.Cpu ? "cpu" : "tensorrt";

    public static bool TryParse(string text, out QuantizationTarget target)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "cpu":
                target = QuantizationTarget.Cpu;
                return true;
            case "tensorrt" or "trt":
                target = QuantizationTarget.TensorRt;
                return true;
            default:
                target = default;
                return false;
        }
    }
}
