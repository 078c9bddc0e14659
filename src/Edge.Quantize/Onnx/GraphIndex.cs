using Edge.Quantize.Onnx.Proto;

namespace Edge.Quantize.Onnx;

/// <summary>One use of a tensor: the node that reads it and at which input position.</summary>
internal readonly record struct TensorUse(NodeProto Node, int InputIndex);

/// <summary>
/// Who produces and who reads each tensor of a graph, and which tensors are constants. A snapshot: rebuild it after
/// changing the graph.
/// </summary>
internal sealed class GraphIndex
{
    private static readonly IReadOnlyList<TensorUse> NoUses = [];

    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<TensorUse>> uses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> initializers = new(StringComparer.Ordinal);
    private readonly HashSet<string> graphOutputs;

    public GraphIndex(GraphProto graph)
    {
        foreach (var initializer in graph.Initializer)
        {
            initializers[initializer.Name] = initializer;
        }

        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                producers[output] = node;
            }

            for (var i = 0; i < node.Input.Count; i++)
            {
                // An empty name marks an omitted optional input, not a tensor.
                if (node.Input[i].Length == 0)
                {
                    continue;
                }

                if (!uses.TryGetValue(node.Input[i], out var list))
                {
                    uses[node.Input[i]] = list = [];
                }

                list.Add(new TensorUse(node, i));
            }
        }

        graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
    }

    public NodeProto? Producer(string tensor) => producers.GetValueOrDefault(tensor);

    public IReadOnlyList<TensorUse> Consumers(string tensor) => uses.TryGetValue(tensor, out var list) ? list : NoUses;

    public TensorProto? Initializer(string tensor) => initializers.GetValueOrDefault(tensor);

    /// <summary>The tensor's value when it is known before inference: an initializer or the output of a Constant node with a tensor value.</summary>
    public TensorProto? Constant(string tensor)
    {
        if (initializers.TryGetValue(tensor, out var initializer))
        {
            return initializer;
        }

        return Producer(tensor) is { OpType: "Constant" } constant && OnnxAttributes.Find(constant, "value") is { T: { } value }
            ? value
            : null;
    }

    public bool IsGraphOutput(string tensor) => graphOutputs.Contains(tensor);
}
