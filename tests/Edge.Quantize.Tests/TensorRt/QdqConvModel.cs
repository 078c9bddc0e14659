using Edge.Quantize.Onnx;

namespace Edge.Quantize.Tests.TensorRt;

/// <summary>
/// The model TensorRT takes as it is: x -> Q/DQ (per-tensor, int8, zero point 0) -> Conv with per-channel int8
/// weights behind a DequantizeLinear on axis 0. Tests plant one violation at a time into it.
/// </summary>
internal static class QdqConvModel
{
    public const float InputScale = 0.05f;
    public const int InputChannels = 3;
    public const int OutputChannels = 4;
    public const int Kernel = 3;
    public const int Size = 8;
    public const int OutputSize = Size - Kernel + 1;

    public static readonly long[] InputShape = [1, InputChannels, Size, Size];
    public static readonly long[] OutputShape = [1, OutputChannels, OutputSize, OutputSize];
    public static readonly long[] WeightShape = [OutputChannels, InputChannels, Kernel, Kernel];

    public static float[] WeightScales { get; } = [0.01f, 0.02f, 0.005f, 0.04f];

    public static float[] Bias { get; } = [0.5f, -0.25f, 0f, 1f];

    /// <summary>Every value in [-127, 127], none zero-heavy, the same on every run.</summary>
    public static sbyte[] Weights { get; } =
        [.. Enumerable.Range(0, OutputChannels * InputChannels * Kernel * Kernel).Select(i => (sbyte)((i * 37 % 255) - 127))];

    public static GraphBuilder Build()
    {
        var builder = new GraphBuilder("qdq_conv");
        builder.AddInput("x", InputShape);
        builder.AddInitializer(OnnxTensors.FloatScalar("x_scale", InputScale));
        builder.AddInitializer(OnnxTensors.Int8Scalar("x_zero_point", 0));
        builder.AddNode("x_q", "QuantizeLinear", ["x", "x_scale", "x_zero_point"], ["x_quantized"]);
        builder.AddNode("x_dq", "DequantizeLinear", ["x_quantized", "x_scale", "x_zero_point"], ["x_dequantized"]);

        builder.AddInitializer(OnnxTensors.Int8("w", Weights, WeightShape));
        builder.AddInitializer(OnnxTensors.Float("w_scale", WeightScales, OutputChannels));
        builder.AddInitializer(OnnxTensors.Int8("w_zero_point", new sbyte[OutputChannels], OutputChannels));
        builder.AddNode("w_dq", "DequantizeLinear", ["w", "w_scale", "w_zero_point"], ["w_dequantized"], OnnxAttributes.Int("axis", 0));

        builder.AddInitializer(OnnxTensors.Float("b", Bias, OutputChannels));
        builder.AddNode(
            "conv", "Conv", ["x_dequantized", "w_dequantized", "b"], ["y"],
            OnnxAttributes.Ints("kernel_shape", Kernel, Kernel),
            OnnxAttributes.Ints("strides", 1, 1));
        builder.AddOutput("y", OutputShape);
        return builder;
    }
}
