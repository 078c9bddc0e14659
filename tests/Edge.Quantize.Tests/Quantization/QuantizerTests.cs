using Edge.Quantize.Calibration;
using Edge.Quantize.Fusion;
using Edge.Quantize.Graph;
using Edge.Quantize.Onnx;
using Edge.Quantize.Onnx.Proto;
using Edge.Quantize.Sensitivity;
using Edge.Quantize.TensorRt;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Quantize.Tests.Quantization;

public sealed class QuantizerTests
{
    private const int CalibrationImages = 24;

    [Fact]
    public void Prepare_FoldsBatchNormalization()
    {
        var quantizer = Quantizer.Prepare(TinyConvNet.Build(), allowFloatFallback: false);

        Assert.DoesNotContain(quantizer.Prepared.Graph.Node, n => n.OpType == "BatchNormalization");
        Assert.Equal(13, OnnxModel.Opset(quantizer.Prepared));
    }

    [Fact]
    public void Prepare_Opset8Model_IsUpgradedTo13_WithTheSameOutputs()
    {
        var old = TinyConvNet.Build(opset: 8);
        var quantizer = Quantizer.Prepare(old, allowFloatFallback: false);

        Assert.Equal(13, OnnxModel.Opset(quantizer.Prepared));
        var input = TinyConvNet.Inputs(1).First();
        Assert.Equal(Run(TinyConvNet.Build(opset: 13), input), Run(quantizer.Prepared, input), new FloatTolerance(1e-3f));
    }

    [Theory]
    [InlineData(QuantizationTarget.Cpu, CalibrationMethod.MinMax)]
    [InlineData(QuantizationTarget.Cpu, CalibrationMethod.Percentile)]
    [InlineData(QuantizationTarget.TensorRt, CalibrationMethod.Entropy)]
    [InlineData(QuantizationTarget.TensorRt, CalibrationMethod.MinMax)]
    public void Quantize_OutputStaysCloseToFp32(QuantizationTarget target, CalibrationMethod method)
    {
        var (quantizer, statistics) = Calibrated();

        var quantized = quantizer.Quantize(new QuantizeOptions { Target = target, Method = method }, statistics);

        var (_, outputs) = SqnrAnalysis.Measure(quantizer.Prepared, quantized, TinyConvNet.Input, TinyConvNet.InputShape, TinyConvNet.Inputs(8, seed: 99), 1);
        var logits = Assert.Single(outputs);
        Assert.True(logits.SqnrDb > 20, $"output SQNR {logits.SqnrDb:F1} dB");
        var fused = Run(quantized.Model, TinyConvNet.Inputs(1).First());
        Assert.All(fused, value => Assert.True(float.IsFinite(value)));
    }

    [Fact]
    public void CpuTarget_IsFusedIntoQLinearOperators_AndLeavesTheOutputUnitInFloat()
    {
        var (quantizer, statistics) = Calibrated();

        var quantized = quantizer.Quantize(new QuantizeOptions { Target = QuantizationTarget.Cpu }, statistics);
        var fusion = FusionCheck.Inspect(quantized.Model);

        Assert.True(fusion.OperatorCounts.GetValueOrDefault("QLinearConv") >= 3, string.Join(", ", fusion.OperatorCounts));
        Assert.True(fusion.FusedCount > 0);
        Assert.DoesNotContain(quantized.Plan.QuantizedNodes, n => n.Name == "fc"); // its output is the model output
        Assert.Contains(quantized.Plan.QuantizedNodes, n => n.Name == "block_add");
        // uint8 activations: every QuantizeLinear's zero point is uint8.
        var index = new GraphIndex(quantized.Model.Graph);
        foreach (var q in quantized.Model.Graph.Node.Where(n => n.OpType == "QuantizeLinear"))
        {
            Assert.Equal((int)TensorProto.Types.DataType.Uint8, index.Initializer(q.Input[2])!.DataType);
        }
    }

    [Fact]
    public void TensorRtTarget_BreaksNoTensorRtRule()
    {
        var (quantizer, statistics) = Calibrated();

        var quantized = quantizer.Quantize(new QuantizeOptions { Target = QuantizationTarget.TensorRt }, statistics);

        Assert.Empty(TensorRtQdqRules.Check(quantized.Model));
        Assert.Contains(quantized.Plan.QuantizedNodes, n => n.Name == "block_add"); // a residual add
        Assert.Contains(quantized.Plan.QuantizedNodes, n => n.Name == "fc");
        Assert.Equal(5, quantized.Plan.Weights.Count);
    }

    [Fact]
    public void CpuTarget_FailsTensorRtRules_UInt8()
    {
        var (quantizer, statistics) = Calibrated();

        var quantized = quantizer.Quantize(new QuantizeOptions { Target = QuantizationTarget.Cpu }, statistics);

        Assert.Contains(TensorRtQdqRules.Check(quantized.Model), v => v.Rule == TensorRtQdqRules.Int8Only);
    }

    [Fact]
    public void Exclusions_KeepNodesInFloat()
    {
        var (quantizer, statistics) = Calibrated();

        var quantized = quantizer.Quantize(new QuantizeOptions
        {
            Target = QuantizationTarget.TensorRt,
            Exclusions = new Exclusions { NodeNames = new HashSet<string> { "proj" }, FirstLayer = true, LastLayer = true },
        }, statistics);

        var names = quantized.Plan.QuantizedNodes.Select(n => n.Name).ToList();
        Assert.DoesNotContain("proj", names);
        Assert.DoesNotContain("stem", names);
        Assert.DoesNotContain("fc", names);
        Assert.Contains("block_c1", names);
        Assert.Contains("stem", quantized.Plan.Excluded);
    }

    [Fact]
    public void AlreadyQuantizedModel_IsRefused()
    {
        var (quantizer, statistics) = Calibrated();
        var quantized = quantizer.Quantize(new QuantizeOptions(), statistics);

        var error = Assert.Throws<QuantizeException>(() => Quantizer.Prepare(quantized.Model, allowFloatFallback: false));

        Assert.Contains("already quantized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedOperator_IsListed_OrKeptInFloatWhenAllowed()
    {
        var model = TinyConvNet.Build();
        var gemm = model.Graph.Node.Single(n => n.Name == "fc");
        gemm.Output[0] = "fc_raw";
        model.Graph.Node.Add(new NodeProto { Name = "erf", OpType = "Erf", Input = { "fc_raw" }, Output = { TinyConvNet.Output } });

        var error = Assert.Throws<QuantizeException>(() => Quantizer.Prepare(model, allowFloatFallback: false));
        Assert.Contains("Erf", error.Message, StringComparison.Ordinal);

        var quantizer = Quantizer.Prepare(model, allowFloatFallback: true);
        var statistics = quantizer.Calibrate(TinyConvNet.Input, TinyConvNet.InputShape, TinyConvNet.Inputs(4), 1);
        var quantized = quantizer.Quantize(new QuantizeOptions { AllowFloatFallback = true }, statistics);
        Assert.Contains("erf", quantized.Plan.FloatFallbacks);
    }

    [Fact]
    public void EmptyCalibrationSet_IsRefused()
    {
        var quantizer = Quantizer.Prepare(TinyConvNet.Build(), allowFloatFallback: false);

        var error = Assert.Throws<QuantizeException>(() => quantizer.Calibrate(TinyConvNet.Input, TinyConvNet.InputShape, [], 1));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CalibrationTensorOfTheWrongSize_IsRefusedByOnnxRuntime()
    {
        var quantizer = Quantizer.Prepare(TinyConvNet.Build(), allowFloatFallback: false);

        Assert.ThrowsAny<Exception>(() => quantizer.Calibrate(TinyConvNet.Input, [1, 3, 8, 8], [new float[3 * 16 * 16]], 1));
    }

    [Fact]
    public void Weights_ArePerChannelInt8_WithinMinus127To127()
    {
        var (quantizer, statistics) = Calibrated();
        var quantized = quantizer.Quantize(new QuantizeOptions { Target = QuantizationTarget.TensorRt }, statistics);
        var index = new GraphIndex(quantized.Model.Graph);

        // Batch normalisation was folded into the stem: find its weight through the DequantizeLinear feeding it.
        var stem = quantized.Model.Graph.Node.Single(n => n.Name == "stem");
        var weightDequantize = index.Producer(stem.Input[1])!;
        Assert.Equal("DequantizeLinear", weightDequantize.OpType);
        var values = OnnxTensors.ReadInt8s(index.Initializer(weightDequantize.Input[0])!);
        Assert.All(values, v => Assert.InRange(v, (sbyte)-127, (sbyte)127));
        Assert.Equal(8, OnnxTensors.ElementCount(index.Initializer(weightDequantize.Input[1])!));
        Assert.Contains(values, v => Math.Abs((int)v) == 127); // each channel's largest weight maps to ±127
    }

    [Theory]
    [InlineData(QuantizationTarget.Cpu)]
    [InlineData(QuantizationTarget.TensorRt)]
    public void Quantize_AnyTarget_ImportsOnlyTheDomainsItsNodesUse_AndNamesEdgeAsProducer(QuantizationTarget target)
    {
        var (quantizer, statistics) = Calibrated();

        var model = quantizer.Quantize(new QuantizeOptions { Target = target }, statistics).Model;

        Assert.Equal([string.Empty], model.Graph.Node.Select(n => n.Domain).Distinct());
        var import = Assert.Single(model.OpsetImport);
        Assert.Equal((string.Empty, 13L), (import.Domain, import.Version));
        Assert.Equal("edge-quantize", model.ProducerName);
        Assert.Equal(typeof(Quantizer).Assembly.GetName().Version!.ToString(3), model.ProducerVersion);
        Assert.Equal(5, Run(model, TinyConvNet.Inputs(1).First()).Length); // ONNX Runtime still loads and runs it
    }

    [Fact]
    public void Prepare_ImportsOnlyTheDomainsItsNodesUse()
    {
        var quantizer = Quantizer.Prepare(TinyConvNet.Build(), allowFloatFallback: false);

        Assert.Equal([string.Empty], quantizer.Prepared.OpsetImport.Select(o => o.Domain));
    }

    private static (Quantizer Quantizer, IReadOnlyDictionary<string, TensorStatistics> Statistics) Calibrated()
    {
        var quantizer = Quantizer.Prepare(TinyConvNet.Build(), allowFloatFallback: false);
        var statistics = quantizer.Calibrate(TinyConvNet.Input, TinyConvNet.InputShape, TinyConvNet.Inputs(CalibrationImages), 1);
        return (quantizer, statistics);
    }

    private static float[] Run(ModelProto model, float[] input)
    {
        using var session = CalibrationRun.CreateSession(model, 1);
        using var value = OrtValue.CreateTensorValueFromMemory(input, TinyConvNet.InputShape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [TinyConvNet.Input], [value], [TinyConvNet.Output]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(float obj) => 0;
    }
}
