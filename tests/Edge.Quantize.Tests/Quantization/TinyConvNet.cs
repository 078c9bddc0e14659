using Edge.Quantize.Onnx;
using Edge.Quantize.Onnx.Proto;

namespace Edge.Quantize.Tests.Quantization;

/// <summary>
/// A small FP32 network built in the test, shaped like the default model's backbone and head: conv+BN+relu stem,
/// max-pool, a residual block (conv-relu-conv + add + relu), a 1x1 conv, global average pooling, flatten and a Gemm
/// head whose output is the model output. Seeded weights; input [1, 3, 16, 16].
/// </summary>
internal static class TinyConvNet
{
    public const string Input = "image";
    public const string Output = "logits";
    public static readonly long[] InputShape = [1, 3, 16, 16];

    public static ModelProto Build(long opset = 13, bool batchNorm = true)
    {
        var random = new Random(11);
        var b = new GraphBuilder("tiny_conv_net");
        b.AddInput(Input, InputShape);
        Conv(b, random, "stem", Input, 3, 8, 3, "stem_out");
        var stem = "stem_out";
        if (batchNorm)
        {
            b.AddInitializer(OnnxTensors.Float("bn_scale", Values(random, 8, 0.5f, 1.5f), 8));
            b.AddInitializer(OnnxTensors.Float("bn_bias", Values(random, 8, -0.2f, 0.2f), 8));
            b.AddInitializer(OnnxTensors.Float("bn_mean", Values(random, 8, -0.1f, 0.1f), 8));
            b.AddInitializer(OnnxTensors.Float("bn_var", Values(random, 8, 0.5f, 1.5f), 8));
            var attributes = opset < 9
                ? new[] { OnnxAttributes.Float("epsilon", 1e-5f), OnnxAttributes.Int("spatial", 1) }
                : [OnnxAttributes.Float("epsilon", 1e-5f)];
            b.AddNode("stem_bn", "BatchNormalization", ["stem_out", "bn_scale", "bn_bias", "bn_mean", "bn_var"], ["stem_bn_out"], attributes);
            stem = "stem_bn_out";
        }

        b.AddNode("stem_relu", "Relu", [stem], ["stem_relu_out"]);
        b.AddNode("pool", "MaxPool", ["stem_relu_out"], ["pool_out"], OnnxAttributes.Ints("kernel_shape", 2, 2), OnnxAttributes.Ints("strides", 2, 2));
        Conv(b, random, "block_c1", "pool_out", 8, 8, 3, "block_c1_out");
        b.AddNode("block_relu1", "Relu", ["block_c1_out"], ["block_relu1_out"]);
        Conv(b, random, "block_c2", "block_relu1_out", 8, 8, 3, "block_c2_out");
        b.AddNode("block_add", "Add", ["block_c2_out", "pool_out"], ["block_add_out"]);
        b.AddNode("block_relu2", "Relu", ["block_add_out"], ["block_relu2_out"]);
        Conv(b, random, "proj", "block_relu2_out", 8, 6, 1, "proj_out");
        b.AddNode("gap", "GlobalAveragePool", ["proj_out"], ["gap_out"]);
        b.AddNode("flatten", "Flatten", ["gap_out"], ["flat"], OnnxAttributes.Int("axis", 1));
        b.AddInitializer(OnnxTensors.Float("fc_w", Values(random, 5 * 6, -0.5f, 0.5f), 5, 6));
        b.AddInitializer(OnnxTensors.Float("fc_b", Values(random, 5, -0.1f, 0.1f), 5));
        b.AddNode("fc", "Gemm", ["flat", "fc_w", "fc_b"], [Output], OnnxAttributes.Int("transB", 1));
        b.AddOutput(Output, 1, 5);
        return b.ToModel(opset);
    }

    /// <summary>Seeded inputs in the range of mean-subtracted pixels.</summary>
    public static IEnumerable<float[]> Inputs(int count, int seed = 5)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            yield return Values(random, 3 * 16 * 16, -120f, 130f);
        }
    }

    private static void Conv(GraphBuilder b, Random random, string name, string input, int inChannels, int outChannels, int kernel, string output)
    {
        var fanIn = inChannels * kernel * kernel;
        var bound = MathF.Sqrt(6f / fanIn) / (name == "stem" ? 100f : 1f); // the stem sees 0-255-scale pixels
        b.AddInitializer(OnnxTensors.Float(name + "_w", Values(random, outChannels * fanIn, -bound, bound), outChannels, inChannels, kernel, kernel));
        b.AddInitializer(OnnxTensors.Float(name + "_b", Values(random, outChannels, -0.1f, 0.1f), outChannels));
        var pad = kernel / 2;
        b.AddNode(name, "Conv", [input, name + "_w", name + "_b"], [output],
            OnnxAttributes.Ints("kernel_shape", kernel, kernel), OnnxAttributes.Ints("pads", pad, pad, pad, pad));
    }

    private static float[] Values(Random random, int count, float min, float max) =>
        [.. Enumerable.Range(0, count).Select(_ => min + ((max - min) * random.NextSingle()))];
}
