using Edge.Quantize.Onnx;
using Edge.Quantize.Onnx.Proto;
using Edge.Quantize.Quantization;

namespace Edge.Quantize.Graph;

/// <summary>
/// Applies a <see cref="QuantizationPlan"/> to a model in place: a QuantizeLinear/DequantizeLinear pair after every
/// planned activation (scales from the calibrated ranges), per-channel int8 weights behind a DequantizeLinear, and
/// for the CPU target int32 biases (scale = input scale × weight scale, as QLinearConv expects).
/// </summary>
public static class QdqRewriter
{
    public const string QuantizedSuffix = "_quantized";
    public const string DequantizedSuffix = "_dequantized";

    /// <param name="model">The float model, rewritten in place.</param>
    /// <param name="plan">Which activations and weights to quantize.</param>
    /// <param name="ranges">Calibrated float range of every planned activation.</param>
    /// <returns>The quantization parameters chosen for each activation.</returns>
    public static IReadOnlyDictionary<string, QuantParams> Apply(ModelProto model, QuantizationPlan plan, IReadOnlyDictionary<string, (float Min, float Max)> ranges)
    {
        var graph = model.Graph;
        var index = new GraphIndex(graph);
        var activationParams = new Dictionary<string, QuantParams>(StringComparer.Ordinal);
        var after = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        var leading = new List<NodeProto>();

        foreach (var tensor in plan.Activations)
        {
            if (!ranges.TryGetValue(tensor, out var range))
            {
                throw new QuantizeException($"no calibration range for tensor '{tensor}': calibrate with the same prepared model");
            }

            var (parameters, zeroPoint) = plan.Target == QuantizationTarget.Cpu
                ? (QuantMath.AsymmetricUInt8(range.Min, range.Max), OnnxTensors.Uint8Scalar(tensor + "_zero_point", 0))
                : (QuantMath.Symmetric(Math.Max(Math.Abs(range.Min), Math.Abs(range.Max))), OnnxTensors.Int8Scalar(tensor + "_zero_point", 0));
            if (plan.Target == QuantizationTarget.Cpu)
            {
                zeroPoint = OnnxTensors.Uint8Scalar(tensor + "_zero_point", (byte)parameters.ZeroPoint);
            }

            activationParams[tensor] = parameters;
            graph.Initializer.Add(OnnxTensors.FloatScalar(tensor + "_scale", parameters.Scale));
            graph.Initializer.Add(zeroPoint);
            var pair = new List<NodeProto>
            {
                Node("QuantizeLinear", tensor + "_QuantizeLinear", [tensor, tensor + "_scale", tensor + "_zero_point"], tensor + QuantizedSuffix),
                Node("DequantizeLinear", tensor + "_DequantizeLinear", [tensor + QuantizedSuffix, tensor + "_scale", tensor + "_zero_point"], tensor + DequantizedSuffix),
            };
            if (index.Producer(tensor) is { } producer)
            {
                after[producer.Output[0]] = [.. after.GetValueOrDefault(producer.Output[0]) ?? [], .. pair];
            }
            else
            {
                leading.AddRange(pair);
            }

            foreach (var consumer in plan.Rewired[tensor])
            {
                Rename(consumer, tensor, tensor + DequantizedSuffix);
            }
        }

        var quantizedWeights = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var use in plan.Weights)
        {
            var weightName = use.Initializer;
            if (!quantizedWeights.TryGetValue(weightName, out var weightScales))
            {
                var weight = index.Initializer(weightName)!;
                var values = OnnxTensors.ReadFloats(weight);
                var dims = weight.Dims.ToArray();
                var channels = (int)dims[use.Axis];
                var quantized = new sbyte[values.Length];
                weightScales = new float[channels];
                QuantMath.QuantizeWeightsPerChannel(values, dims, use.Axis, quantized, weightScales);
                graph.Initializer.Add(OnnxTensors.Int8(weightName + QuantizedSuffix, quantized, dims));
                graph.Initializer.Add(OnnxTensors.Float(weightName + "_scale", weightScales, channels));
                graph.Initializer.Add(OnnxTensors.Int8(weightName + "_zero_point", new sbyte[channels], channels));
                leading.Add(Node("DequantizeLinear", weightName + "_DequantizeLinear", [weightName + QuantizedSuffix, weightName + "_scale", weightName + "_zero_point"], weightName + DequantizedSuffix, axis: use.Axis));
                quantizedWeights[weightName] = weightScales;
            }

            use.Node.Input[use.InputIndex] = weightName + DequantizedSuffix;
            if (plan.Target == QuantizationTarget.Cpu && use.Node.OpType is "Conv" or "Gemm" && use.Node.Input.Count > 2 && index.Initializer(use.Node.Input[2]) is { } bias
                && activationParams.TryGetValue(use.Node.Input[0].EndsWith(DequantizedSuffix, StringComparison.Ordinal) ? use.Node.Input[0][..^DequantizedSuffix.Length] : use.Node.Input[0], out var inputParams))
            {
                leading.Add(QuantizeBias(graph, use.Node, bias, inputParams.Scale, weightScales));
            }
        }

        var nodes = new List<NodeProto>(leading);
        foreach (var node in graph.Node)
        {
            nodes.Add(node);
            if (after.TryGetValue(node.Output[0], out var inserted))
            {
                nodes.AddRange(inserted);
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        RemoveUnused(graph);
        return activationParams;
    }

    private static NodeProto QuantizeBias(GraphProto graph, NodeProto node, TensorProto bias, float inputScale, float[] weightScales)
    {
        var values = OnnxTensors.ReadFloats(bias);
        var scales = new float[values.Length];
        var quantized = new int[values.Length];
        for (var c = 0; c < values.Length; c++)
        {
            scales[c] = inputScale * weightScales[weightScales.Length == 1 ? 0 : c];
            quantized[c] = (int)Math.Clamp(Math.Round(values[c] / (double)scales[c], MidpointRounding.ToEven), int.MinValue, int.MaxValue);
        }

        var name = node.Input[2];
        var unique = name + "_" + node.Output[0];
        graph.Initializer.Add(OnnxTensors.Int32(unique + QuantizedSuffix, quantized, values.Length));
        graph.Initializer.Add(OnnxTensors.Float(unique + "_scale", scales, values.Length));
        graph.Initializer.Add(OnnxTensors.Int32(unique + "_zero_point", new int[values.Length], values.Length));
        node.Input[2] = unique + DequantizedSuffix;
        return Node("DequantizeLinear", unique + "_DequantizeLinear", [unique + QuantizedSuffix, unique + "_scale", unique + "_zero_point"], unique + DequantizedSuffix, axis: 0);
    }

    private static void Rename(NodeProto node, string from, string to)
    {
        for (var i = 0; i < node.Input.Count; i++)
        {
            if (node.Input[i] == from)
            {
                node.Input[i] = to;
            }
        }
    }

    /// <summary>Drops float initializers that nothing reads any more (the weights that were replaced).</summary>
    private static void RemoveUnused(GraphProto graph)
    {
        var used = graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var unused = graph.Initializer.Where(t => !used.Contains(t.Name) && !graphInputs.Contains(t.Name)).ToList();
        foreach (var tensor in unused)
        {
            graph.Initializer.Remove(tensor);
        }
    }

    internal static NodeProto Node(string op, string name, string[] inputs, string output, int? axis = null)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        if (axis is { } a)
        {
            node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = a });
        }

        return node;
    }
}
