using Edge.Quantize.Onnx;
using Edge.Quantize.Onnx.Proto;

namespace Edge.Quantize.Graph;

/// <summary>
/// Decides where Q/DQ go. CPU: every node unit is complete — DQ on its inputs and Q on its output, the output taken
/// after a Relu/Clip that only it feeds — so ONNX Runtime fuses it into a QLinear operator; a unit that cannot be
/// completed (its output is a model output) or has no quantized neighbour stays in float, since half a unit is only
/// slower. TensorRT: Q/DQ on the activation inputs of Conv/Gemm/MatMul and on both inputs of residual Adds (an Add
/// fed by a weight layer), where TensorRT fuses them; it propagates through the rest.
/// </summary>
public static class QuantizationPlanner
{
    public static QuantizationPlan Plan(GraphProto graph, QuantizationTarget target, Exclusions exclusions, bool allowFloatFallback)
    {
        var index = new GraphIndex(graph);
        if (IsQuantized(graph))
        {
            throw new QuantizeException("the model is already quantized (it has QuantizeLinear/DequantizeLinear or integer operators): expected an FP32 model");
        }

        var unsupported = graph.Node.Where(n => !OperatorSupport.IsSupported(n.OpType) || !string.IsNullOrEmpty(n.Domain) && n.Domain != "ai.onnx").ToList();
        if (unsupported.Count > 0 && !allowFloatFallback)
        {
            var names = unsupported.Select(n => n.OpType).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            throw new QuantizeException($"the model uses operators the quantizer does not support: {string.Join(", ", names)}; pass --allow-float-fallback to keep them in float");
        }

        var excluded = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var node in graph.Node)
        {
            if (exclusions.NodeNames.Contains(node.Name) || exclusions.OperatorTypes.Contains(node.OpType))
            {
                excluded.Add(node);
            }
        }

        if (exclusions.FirstLayer)
        {
            excluded.UnionWith(FirstWeightLayers(index));
        }

        if (exclusions.LastLayer)
        {
            excluded.UnionWith(LastWeightLayers(index));
        }

        var quantizedOps = OperatorSupport.Quantized(target);
        var candidates = graph.Node
            .Where(n => quantizedOps.Contains(n.OpType) && !excluded.Contains(n) && HasQuantizableInputs(n, index))
            .ToHashSet<NodeProto>(ReferenceEqualityComparer.Instance);

        if (target == QuantizationTarget.TensorRt)
        {
            candidates.RemoveWhere(n => n.OpType == "Add" && !IsResidual(n, index));
        }
        else
        {
            candidates.RemoveWhere(n => index.IsGraphOutput(UnitOutput(n, index)));
            DropIsolated(candidates, index);
        }

        var activations = new List<string>();
        var rewired = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        void Add(string tensor, NodeProto? consumer)
        {
            if (!rewired.TryGetValue(tensor, out var list))
            {
                rewired[tensor] = list = [];
                activations.Add(tensor);
            }

            if (consumer is not null && !list.Contains(consumer))
            {
                list.Add(consumer);
            }
        }

        var ordered = graph.Node.Where(candidates.Contains).ToList();
        foreach (var node in ordered)
        {
            foreach (var input in ActivationInputs(node, index))
            {
                Add(input, node);
            }

            if (target == QuantizationTarget.Cpu)
            {
                Add(UnitOutput(node, index), null);
            }
        }

        // CPU: every consumer reads the dequantized value, so the Relu/Clip before a Q has no other reader and ONNX
        // Runtime can fold it into the unit (a float reader of the raw tensor blocks the fusion). TensorRT: only the
        // quantized consumers, since a DequantizeLinear must feed an operator TensorRT fuses.
        foreach (var tensor in activations)
        {
            var readers = target == QuantizationTarget.Cpu ? index.ConsumerNodes(tensor) : index.ConsumerNodes(tensor).Where(candidates.Contains);
            foreach (var consumer in readers)
            {
                if (!rewired[tensor].Contains(consumer))
                {
                    rewired[tensor].Add(consumer);
                }
            }
        }

        var weights = ordered
            .Where(n => OperatorSupport.WeightOperators.ContainsKey(n.OpType))
            .Select(n => new WeightUse(n, 1, n.Input[1], WeightAxis(n, index)))
            .ToList();

        return new QuantizationPlan
        {
            Target = target,
            QuantizedNodes = ordered,
            Activations = [.. activations.OrderBy(t => Position(t, index))],
            Rewired = rewired.ToDictionary(p => p.Key, p => (IReadOnlyList<NodeProto>)p.Value, StringComparer.Ordinal),
            Weights = weights,
            FloatFallbacks = [.. unsupported.Select(GraphIndex.Describe)],
            Excluded = [.. excluded.Select(GraphIndex.Describe)],
        };
    }

    public static bool IsQuantized(GraphProto graph) =>
        graph.Node.Any(n => n.OpType is "QuantizeLinear" or "DequantizeLinear" or "QLinearConv" or "QLinearMatMul" or "ConvInteger" or "MatMulInteger" or "DynamicQuantizeLinear");

    /// <summary>The tensor a node's unit produces: after a Relu/Clip that is the only consumer of its output.</summary>
    public static string UnitOutput(NodeProto node, GraphIndex index)
    {
        var output = node.Output[0];
        var consumers = index.ConsumerNodes(output);
        if (!index.IsGraphOutput(output) && consumers.Count == 1 && OperatorSupport.RemovableActivations.Contains(consumers[0].OpType))
        {
            return consumers[0].Output[0];
        }

        return output;
    }

    /// <summary>Inputs that carry activations (not weights, biases, constants or shape inputs).</summary>
    public static IEnumerable<string> ActivationInputs(NodeProto node, GraphIndex index)
    {
        var count = node.OpType switch
        {
            "Conv" or "Gemm" => 1,
            "MatMul" => index.IsConstant(node.Input[1]) ? 1 : 2,
            _ => node.Input.Count,
        };
        return node.Input.Take(count).Where(input => input.Length > 0 && !index.IsConstant(input));
    }

    private static bool HasQuantizableInputs(NodeProto node, GraphIndex index)
    {
        if (OperatorSupport.WeightOperators.TryGetValue(node.OpType, out var weightInput))
        {
            var weight = index.Initializer(node.Input[weightInput]);
            if (weight is null || weight.DataType != (int)TensorProto.Types.DataType.Float)
            {
                return node.OpType == "MatMul" && ActivationInputs(node, index).Count() == 2;
            }

            if (node.OpType == "Gemm" && node.Attribute.Any(a => a.Name == "transA" && a.I != 0))
            {
                return false;
            }
        }

        return ActivationInputs(node, index).Any();
    }

    private static bool IsResidual(NodeProto add, GraphIndex index) =>
        ActivationInputs(add, index).Count() == 2
        && add.Input.Any(input => index.Producer(input) is { } producer && (OperatorSupport.WeightOperators.ContainsKey(producer.OpType)
            || OperatorSupport.RemovableActivations.Contains(producer.OpType) && index.Producer(producer.Input[0]) is { } p && OperatorSupport.WeightOperators.ContainsKey(p.OpType)));

    /// <summary>Drops non-weight nodes with no quantized neighbour, until none is left: alone they only add Q/DQ work.</summary>
    private static void DropIsolated(HashSet<NodeProto> candidates, GraphIndex index)
    {
        bool changed;
        do
        {
            changed = false;
            foreach (var node in candidates.Where(n => !OperatorSupport.WeightOperators.ContainsKey(n.OpType)).ToList())
            {
                var fedByQuantized = ActivationInputs(node, index).Any(input => UnitProducer(input, index) is { } p && candidates.Contains(p));
                var feedsQuantized = index.ConsumerNodes(UnitOutput(node, index)).Any(candidates.Contains);
                if (!fedByQuantized && !feedsQuantized)
                {
                    candidates.Remove(node);
                    changed = true;
                }
            }
        }
        while (changed);
    }

    /// <summary>The node whose unit produces <paramref name="tensor"/> (looking through a removable activation).</summary>
    private static NodeProto? UnitProducer(string tensor, GraphIndex index)
    {
        var producer = index.Producer(tensor);
        return producer is not null && OperatorSupport.RemovableActivations.Contains(producer.OpType) ? index.Producer(producer.Input[0]) : producer;
    }

    private static int WeightAxis(NodeProto node, GraphIndex index) => node.OpType switch
    {
        "Conv" => 0,
        "Gemm" => node.Attribute.Any(a => a.Name == "transB" && a.I != 0) ? 0 : 1,
        _ => index.Initializer(node.Input[1])!.Dims.Count - 1,
    };

    private static IEnumerable<NodeProto> FirstWeightLayers(GraphIndex index) =>
        index.Graph.Node.Where(n => OperatorSupport.WeightOperators.ContainsKey(n.OpType) && n.Input.Any(index.IsGraphInput));

    /// <summary>Weight layers reachable backwards from a model output without passing through another weight layer.</summary>
    private static IEnumerable<NodeProto> LastWeightLayers(GraphIndex index)
    {
        var found = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(index.Graph.Output.Select(o => o.Name));
        while (pending.Count > 0)
        {
            var tensor = pending.Pop();
            if (!seen.Add(tensor) || index.Producer(tensor) is not { } producer)
            {
                continue;
            }

            if (OperatorSupport.WeightOperators.ContainsKey(producer.OpType))
            {
                found.Add(producer);
                continue;
            }

            foreach (var input in producer.Input.Where(i => i.Length > 0))
            {
                pending.Push(input);
            }
        }

        return found;
    }

    private static int Position(string tensor, GraphIndex index) => index.Producer(tensor) is { } producer ? index.Position(producer) : -1;
}
