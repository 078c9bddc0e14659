using Edge.Quantize.Onnx;
using Edge.Quantize.Onnx.Proto;

namespace Edge.Quantize.TensorRt;

/// <summary>
/// Checks a QDQ model against what TensorRT's explicit INT8 quantization accepts (symmetric int8, per-tensor
/// activations, per-channel weights on the output-channel axis, Q/DQ only where TensorRT fuses or propagates them),
/// so a bad model is caught here rather than by a slow or failing engine build on the device.
/// </summary>
public static class TensorRtQdqRules
{
    public const string Int8Only = "int8-only";
    public const string SymmetricZeroPoint = "symmetric-zero-point";
    public const string PositiveFiniteScale = "positive-finite-scale";
    public const string ConstantParameters = "constant-parameters";
    public const string PerTensorActivation = "per-tensor-activation";
    public const string WeightChannelAxis = "weight-channel-axis";
    public const string WeightScaleLength = "weight-scale-length";
    public const string FusibleConsumer = "fusible-consumer";
    public const string QuantizeFollowedByDequantize = "quantize-followed-by-dequantize";
    public const string Requantization = "requantization";
    public const string PerChannelOpset = "per-channel-opset";

    /// <summary>The opset that gave QuantizeLinear/DequantizeLinear their axis attribute.</summary>
    private const long PerChannelMinimumOpset = 13;

    /// <summary>All violations in the main graph, in node order; empty when TensorRT can take the model as it is.</summary>
    /// <exception cref="QuantizeException">The model has no graph, or a scale or zero point is malformed (data not matching its dims).</exception>
    public static IReadOnlyList<QdqViolation> Check(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Graph is null)
        {
            throw new QuantizeException("model has no graph: expected an ONNX model");
        }

        var checker = new Checker(new GraphIndex(model.Graph), OnnxModel.Opset(model));
        foreach (var node in model.Graph.Node.Where(IsDefaultDomain))
        {
            if (node.OpType == "QuantizeLinear")
            {
                checker.CheckQuantize(node);
            }
            else if (node.OpType == "DequantizeLinear")
            {
                checker.CheckDequantize(node);
            }
        }

        return checker.Violations;
    }

    private static bool IsDefaultDomain(NodeProto node) => node.Domain is "" or "ai.onnx";

    private sealed class Checker(GraphIndex index, long opset)
    {
        public List<QdqViolation> Violations { get; } = [];

        public void CheckQuantize(NodeProto quantize)
        {
            var scales = CheckScales(quantize);
            CheckZeroPoint(quantize);
            if (scales is { Length: > 1 })
            {
                Report(quantize, PerTensorActivation,
                    $"{Describe(quantize)} has {scales.Length} scales (per-channel); TensorRT expects activations quantized per-tensor with a single scale.");
            }

            CheckPerChannelOpset(quantize, scales);
            CheckFollowedByDequantize(quantize);
            CheckRequantization(quantize, scales);
        }

        public void CheckDequantize(NodeProto dequantize)
        {
            var scales = CheckScales(dequantize);
            CheckZeroPoint(dequantize);
            CheckPerChannelOpset(dequantize, scales);
            CheckConsumersFusible(dequantize);
            if (scales is { Length: > 1 } && index.Constant(InputAt(dequantize, 0)) is { } weights)
            {
                CheckWeightChannels(dequantize, weights, scales.Length);
            }
        }

        /// <summary>The scale values, or null when they cannot be read (reported).</summary>
        private float[]? CheckScales(NodeProto node)
        {
            var name = InputAt(node, 1);
            if (ConstantInput(node, name, "scale") is not { } scale)
            {
                return null;
            }

            if (OnnxTensors.TypeOf(scale) != TensorProto.Types.DataType.Float)
            {
                Report(node, PositiveFiniteScale,
                    $"{Describe(node)} has scale '{name}' of type {OnnxTensors.TypeName(scale.DataType)}; TensorRT's INT8 path at opset 13 expects FLOAT scales.");
                return null;
            }

            var values = OnnxTensors.ReadFloats(scale);
            var bad = Array.FindIndex(values, v => !float.IsFinite(v) || v <= 0);
            if (bad >= 0)
            {
                Report(node, PositiveFiniteScale,
                    $"{Describe(node)} has scale '{name}' holding {values[bad]} at index {bad}; TensorRT expects every scale finite and greater than 0.");
            }

            return values;
        }

        private void CheckZeroPoint(NodeProto node)
        {
            var name = InputAt(node, 2);
            if (node.OpType == "DequantizeLinear" && index.Constant(InputAt(node, 0)) is { } quantized
                && OnnxTensors.TypeOf(quantized) != TensorProto.Types.DataType.Int8)
            {
                Report(node, Int8Only,
                    $"{Describe(node)} dequantizes '{quantized.Name}' of type {OnnxTensors.TypeName(quantized.DataType)}; TensorRT expects INT8 quantized weights.");
            }

            if (name.Length == 0)
            {
                // A DequantizeLinear without a zero point takes its type from its input, which is checked where it
                // is made (above for weights, at the QuantizeLinear for activations); a QuantizeLinear without one
                // produces UINT8 by ONNX's definition.
                if (node.OpType == "QuantizeLinear")
                {
                    Report(node, Int8Only,
                        $"{Describe(node)} has no zero point, which ONNX defines as UINT8; TensorRT expects an INT8 zero point of 0.");
                }

                return;
            }

            if (ConstantInput(node, name, "zero point") is not { } zeroPoint)
            {
                return;
            }

            if (OnnxTensors.TypeOf(zeroPoint) != TensorProto.Types.DataType.Int8)
            {
                Report(node, Int8Only,
                    $"{Describe(node)} has zero point '{name}' of type {OnnxTensors.TypeName(zeroPoint.DataType)}; TensorRT expects INT8 (signed, symmetric quantization).");
                return;
            }

            var values = OnnxTensors.ReadInt8s(zeroPoint);
            var nonZero = Array.FindIndex(values, v => v != 0);
            if (nonZero >= 0)
            {
                Report(node, SymmetricZeroPoint,
                    $"{Describe(node)} has zero point '{name}' holding {values[nonZero]} at index {nonZero}; TensorRT expects every zero point to be 0 (symmetric quantization).");
            }
        }

        private void CheckPerChannelOpset(NodeProto node, float[]? scales)
        {
            if (scales is { Length: > 1 } && opset < PerChannelMinimumOpset)
            {
                Report(node, PerChannelOpset,
                    $"{Describe(node)} has {scales.Length} per-channel scales but the model imports opset {opset}; per-channel quantization needs opset {PerChannelMinimumOpset} or later for the axis attribute TensorRT reads.");
            }
        }

        private void CheckFollowedByDequantize(NodeProto quantize)
        {
            var output = OutputAt(quantize, 0);
            var consumers = index.Consumers(output);
            foreach (var use in consumers.Where(u => !IsDequantize(u.Node)))
            {
                Report(quantize, QuantizeFollowedByDequantize,
                    $"{Describe(quantize)} feeds {Describe(use.Node)} directly; TensorRT expects every QuantizeLinear to be followed by a DequantizeLinear (explicit Q/DQ pairs).");
            }

            if (consumers.Count == 0 || index.IsGraphOutput(output))
            {
                Report(quantize, QuantizeFollowedByDequantize,
                    $"{Describe(quantize)} output '{output}' is not read by a DequantizeLinear; TensorRT expects every QuantizeLinear to be followed by a DequantizeLinear (explicit Q/DQ pairs).");
            }
        }

        private void CheckRequantization(NodeProto quantize, float[]? scales)
        {
            if (scales is null || index.Producer(InputAt(quantize, 0)) is not { } producer || !IsDequantize(producer)
                || index.Constant(InputAt(producer, 1)) is not { DataType: (int)TensorProto.Types.DataType.Float } earlierScale)
            {
                return;
            }

            var earlier = OnnxTensors.ReadFloats(earlierScale);
            if (!earlier.SequenceEqual(scales))
            {
                Report(quantize, Requantization,
                    $"{Describe(quantize)} requantizes the output of {Describe(producer)} with scale {Format(scales)} instead of {Format(earlier)}; TensorRT expects a tensor quantized once, with one scale.");
            }
        }

        private void CheckConsumersFusible(NodeProto dequantize)
        {
            foreach (var use in index.Consumers(OutputAt(dequantize, 0)))
            {
                // DQ -> Q is requantization, judged by its own rule.
                if (IsDefaultDomain(use.Node) && use.Node.OpType == "QuantizeLinear")
                {
                    continue;
                }

                if (!IsDefaultDomain(use.Node) || !TensorRtQdqPlacement.FusibleDequantizeConsumers.Contains(use.Node.OpType))
                {
                    Report(dequantize, FusibleConsumer,
                        $"{Describe(dequantize)} feeds {Describe(use.Node)}, which TensorRT can neither fuse Q/DQ into nor propagate them across; TensorRT expects DequantizeLinear to feed only operators its Q/DQ placement guidance lists (Conv, Gemm, MatMul, Add, pooling, activations, reshaping).");
                }
            }
        }

        private void CheckWeightChannels(NodeProto dequantize, TensorProto weights, int scaleCount)
        {
            var rank = weights.Dims.Count;
            var axis = OnnxAttributes.GetInt(dequantize, "axis", fallback: 1);
            if (axis < 0)
            {
                axis += rank;
            }

            foreach (var use in index.Consumers(OutputAt(dequantize, 0)))
            {
                if (ExpectedWeightAxis(use, rank) is not { } expected)
                {
                    continue;
                }

                if (axis != expected)
                {
                    Report(dequantize, WeightChannelAxis,
                        $"{Describe(dequantize)} scales the weight of {Describe(use.Node)} along axis {axis}; TensorRT expects per-channel weight scales along axis {expected}, the output channels.");
                }
                else if (expected < rank && scaleCount != weights.Dims[(int)expected])
                {
                    Report(dequantize, WeightScaleLength,
                        $"{Describe(dequantize)} has {scaleCount} scales for the weight of {Describe(use.Node)}, which has {weights.Dims[(int)expected]} output channels along axis {expected}; TensorRT expects one scale per output channel.");
                }
            }
        }

        /// <summary>The output-channel axis of a weight input, or null when the use is not a weight.</summary>
        private static long? ExpectedWeightAxis(TensorUse use, int rank)
        {
            if (!IsDefaultDomain(use.Node) || use.InputIndex != 1)
            {
                return null;
            }

            return use.Node.OpType switch
            {
                "Conv" => 0,
                "ConvTranspose" => 1,
                "Gemm" => OnnxAttributes.GetInt(use.Node, "transB", fallback: 0) == 1 ? 0 : 1,
                "MatMul" => rank - 1,
                _ => null,
            };
        }

        /// <summary>The constant behind a scale or zero point, or null (reported) when it is computed at run time.</summary>
        private TensorProto? ConstantInput(NodeProto node, string name, string role)
        {
            if (name.Length == 0)
            {
                Report(node, ConstantParameters, $"{Describe(node)} has no {role} input; TensorRT expects a constant {role}.");
                return null;
            }

            if (index.Constant(name) is { } constant)
            {
                return constant;
            }

            Report(node, ConstantParameters,
                $"{Describe(node)} has {role} '{name}' computed at run time; TensorRT expects {role}s that are initializers or Constant nodes.");
            return null;
        }

        private void Report(NodeProto node, string rule, string detail) => Violations.Add(new QdqViolation(Label(node), rule, detail));

        private static bool IsDequantize(NodeProto node) => IsDefaultDomain(node) && node.OpType == "DequantizeLinear";

        private static string InputAt(NodeProto node, int i) => i < node.Input.Count ? node.Input[i] : "";

        private static string OutputAt(NodeProto node, int i) => i < node.Output.Count ? node.Output[i] : "";

        private static string Label(NodeProto node) => node.Name.Length > 0 ? node.Name : $"{node.OpType}->{OutputAt(node, 0)}";

        private static string Describe(NodeProto node) =>
            $"{(IsDefaultDomain(node) ? node.OpType : $"{node.Domain}.{node.OpType}")} '{Label(node)}'";

        private static string Format(float[] values) => values.Length == 1 ? $"{values[0]}" : $"[{string.Join(", ", values)}]";
    }
}
