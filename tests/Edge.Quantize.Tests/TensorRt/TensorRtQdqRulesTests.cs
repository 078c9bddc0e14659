using Edge.Quantize.Onnx;
using Edge.Quantize.Onnx.Proto;
using Edge.Quantize.TensorRt;

namespace Edge.Quantize.Tests.TensorRt;

public sealed class TensorRtQdqRulesTests
{
    [Fact]
    public void Check_CleanQdqConv_HasNoViolations()
    {
        Assert.Empty(TensorRtQdqRules.Check(QdqConvModel.Build().ToModel()));
    }

    [Fact]
    public void Check_Uint8ZeroPoint_ReportsInt8Only()
    {
        var builder = QdqConvModel.Build();
        builder.ReplaceInitializer(OnnxTensors.Uint8Scalar("x_zero_point", 0));

        AssertOnly(Check(builder), TensorRtQdqRules.Int8Only, "x_q", "x_dq");
    }

    [Fact]
    public void Check_MissingZeroPoint_ReportsInt8Only_BecauseOnnxDefaultsToUint8()
    {
        var builder = QdqConvModel.Build();
        Node(builder, "x_q").Input.RemoveAt(2);
        Node(builder, "x_dq").Input.RemoveAt(2);

        var violation = AssertOnly(Check(builder), TensorRtQdqRules.Int8Only, "x_q").Single();
        Assert.Contains("UINT8", violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Int8WeightsWithoutZeroPoint_AreClean_BecauseTheirTypeComesFromTheWeights()
    {
        var builder = QdqConvModel.Build();
        Node(builder, "w_dq").Input.RemoveAt(2);

        Assert.Empty(Check(builder));
    }

    [Fact]
    public void Check_Uint8Weights_ReportsInt8Only()
    {
        var builder = QdqConvModel.Build();
        builder.ReplaceInitializer(OnnxTensors.Uint8("w", new byte[QdqConvModel.Weights.Length], QdqConvModel.WeightShape));
        Node(builder, "w_dq").Input.RemoveAt(2);

        AssertOnly(Check(builder), TensorRtQdqRules.Int8Only, "w_dq");
    }

    [Fact]
    public void Check_NonZeroZeroPoint_ReportsSymmetricZeroPoint()
    {
        var builder = QdqConvModel.Build();
        builder.ReplaceInitializer(OnnxTensors.Int8Scalar("x_zero_point", 3));

        AssertOnly(Check(builder), TensorRtQdqRules.SymmetricZeroPoint, "x_q", "x_dq");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(float.NaN)]
    [InlineData(-0.1f)]
    [InlineData(float.PositiveInfinity)]
    public void Check_ScaleNotFinitePositive_ReportsPositiveFiniteScale(float bad)
    {
        var builder = QdqConvModel.Build();
        float[] scales = [.. QdqConvModel.WeightScales];
        scales[2] = bad;
        builder.ReplaceInitializer(OnnxTensors.Float("w_scale", scales, QdqConvModel.OutputChannels));

        var violation = AssertOnly(Check(builder), TensorRtQdqRules.PositiveFiniteScale, "w_dq").Single();
        Assert.Contains("at index 2", violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ScaleComputedAtRunTime_ReportsConstantParameters()
    {
        var builder = QdqConvModel.Build();
        builder.AddInput("dynamic_scale");
        Node(builder, "x_q").Input[1] = "dynamic_scale";

        AssertOnly(Check(builder), TensorRtQdqRules.ConstantParameters, "x_q");
    }

    [Fact]
    public void Check_PerChannelActivationScale_ReportsPerTensorActivation()
    {
        var builder = QdqConvModel.Build();
        builder.ReplaceInitializer(OnnxTensors.Float("x_scale", [0.05f, 0.05f, 0.05f], QdqConvModel.InputChannels));
        builder.ReplaceInitializer(OnnxTensors.Int8("x_zero_point", [0, 0, 0], QdqConvModel.InputChannels));
        Node(builder, "x_q").Attribute.Add(OnnxAttributes.Int("axis", 1));
        Node(builder, "x_dq").Attribute.Add(OnnxAttributes.Int("axis", 1));

        AssertOnly(Check(builder), TensorRtQdqRules.PerTensorActivation, "x_q");
    }

    [Fact]
    public void Check_ConvWeightOnWrongAxis_ReportsWeightChannelAxis()
    {
        var builder = QdqConvModel.Build();
        Node(builder, "w_dq").Attribute[0] = OnnxAttributes.Int("axis", 1);

        var violation = AssertOnly(Check(builder), TensorRtQdqRules.WeightChannelAxis, "w_dq").Single();
        Assert.Contains("'conv'", violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ConvWeightScalesOfWrongLength_ReportsWeightScaleLength()
    {
        var builder = QdqConvModel.Build();
        builder.ReplaceInitializer(OnnxTensors.Float("w_scale", [0.01f, 0.02f, 0.03f], 3));
        builder.ReplaceInitializer(OnnxTensors.Int8("w_zero_point", [0, 0, 0], 3));

        AssertOnly(Check(builder), TensorRtQdqRules.WeightScaleLength, "w_dq");
    }

    [Theory]
    [InlineData("ConvTranspose", 1, 0)]
    [InlineData("Gemm", 1, 0)]
    [InlineData("GemmTransB", 0, 1)]
    [InlineData("MatMul", 1, 0)]
    public void Check_WeightAxisPerOperator_FollowsItsOutputChannels(string consumer, int rightAxis, int wrongAxis)
    {
        Assert.Empty(Check(PerChannelWeightFeeding(consumer, rightAxis)));

        var violation = AssertOnly(Check(PerChannelWeightFeeding(consumer, wrongAxis)), TensorRtQdqRules.WeightChannelAxis, "w_dq").Single();
        Assert.Contains($"along axis {rightAxis}", violation.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TopK")]
    [InlineData("NonMaxSuppression")]
    public void Check_DequantizeFeedingUnsupportedOperator_ReportsFusibleConsumer(string opType)
    {
        var builder = QdqConvModel.Build();
        builder.AddInitializer(OnnxTensors.Int64("k", [5], 1));
        builder.AddNode("unsupported", opType, ["x_dequantized", "k"], ["unsupported_out"]);

        var violation = AssertOnly(Check(builder), TensorRtQdqRules.FusibleConsumer, "x_dq").Single();
        Assert.Contains($"{opType} 'unsupported'", violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LoneQuantize_ReportsQuantizeFollowedByDequantize()
    {
        var builder = QdqConvModel.Build();
        builder.AddNode("lone_q", "QuantizeLinear", ["y", "x_scale", "x_zero_point"], ["y_quantized"]);

        AssertOnly(Check(builder), TensorRtQdqRules.QuantizeFollowedByDequantize, "lone_q");
    }

    [Theory]
    [InlineData(QdqConvModel.InputScale, false)]
    [InlineData(0.1f, true)]
    public void Check_DequantizeQuantizeDequantize_IsRequantizationOnlyWithADifferentScale(float secondScale, bool violates)
    {
        var builder = QdqConvModel.Build();
        builder.AddInitializer(OnnxTensors.FloatScalar("second_scale", secondScale));
        builder.AddNode("second_q", "QuantizeLinear", ["x_dequantized", "second_scale", "x_zero_point"], ["x_requantized"]);
        builder.AddNode("second_dq", "DequantizeLinear", ["x_requantized", "second_scale", "x_zero_point"], ["x_second"]);
        builder.AddNode("relu", "Relu", ["x_second"], ["relu_out"]);

        var violations = Check(builder);

        if (violates)
        {
            AssertOnly(violations, TensorRtQdqRules.Requantization, "second_q");
        }
        else
        {
            Assert.Empty(violations);
        }
    }

    [Fact]
    public void Check_PerChannelWeightsAtOpset11_ReportsPerChannelOpset()
    {
        var violations = TensorRtQdqRules.Check(QdqConvModel.Build().ToModel(opset: 11));

        AssertOnly(violations, TensorRtQdqRules.PerChannelOpset, "w_dq");
    }

    [Fact]
    public void Check_UnnamedNode_IsNamedByOpTypeAndOutput()
    {
        var builder = QdqConvModel.Build();
        builder.ReplaceInitializer(OnnxTensors.Int8Scalar("x_zero_point", 1));
        Node(builder, "x_q").Name = "";
        Node(builder, "x_dq").Name = "";

        var violations = Check(builder);

        Assert.Equal(["QuantizeLinear->x_quantized", "DequantizeLinear->x_dequantized"], violations.Select(v => v.Node));
    }

    private static IReadOnlyList<QdqViolation> Check(GraphBuilder builder) => TensorRtQdqRules.Check(builder.ToModel());

    private static NodeProto Node(GraphBuilder builder, string name) => builder.Graph.Node.Single(n => n.Name == name);

    /// <summary>Asserts that every violation is of <paramref name="rule"/>, one per expected node, each naming its node.</summary>
    private static IReadOnlyList<QdqViolation> AssertOnly(IReadOnlyList<QdqViolation> violations, string rule, params string[] nodes)
    {
        Assert.All(violations, v => Assert.Equal(rule, v.Rule));
        Assert.Equal(nodes, violations.Select(v => v.Node));
        Assert.All(violations, v => Assert.Contains($"'{v.Node}'", v.Detail, StringComparison.Ordinal));
        return violations;
    }

    /// <summary>An int8 weight [2, 3] with per-channel scales on <paramref name="axis"/>, read as input B of one operator.</summary>
    private static GraphBuilder PerChannelWeightFeeding(string consumer, int axis)
    {
        long[] dims = [2, 3];
        var builder = new GraphBuilder("weight");
        builder.AddInput("a", 3, 2);
        builder.AddInitializer(OnnxTensors.Int8("w", [1, -2, 3, -4, 5, -6], dims));
        builder.AddInitializer(OnnxTensors.Float("w_scale", [.. Enumerable.Repeat(0.1f, (int)dims[axis])], dims[axis]));
        builder.AddInitializer(OnnxTensors.Int8("w_zero_point", new sbyte[dims[axis]], dims[axis]));
        builder.AddNode("w_dq", "DequantizeLinear", ["w", "w_scale", "w_zero_point"], ["w_dequantized"], OnnxAttributes.Int("axis", axis));
        AttributeProto[] attributes = consumer == "GemmTransB" ? [OnnxAttributes.Int("transB", 1)] : [];
        var opType = consumer == "GemmTransB" ? "Gemm" : consumer;
        builder.AddNode("consumer", opType, ["a", "w_dequantized"], ["out"], attributes);
        return builder;
    }
}
