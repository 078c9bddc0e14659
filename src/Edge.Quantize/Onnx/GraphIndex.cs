using Edge.Quantize.Onnx.Proto;

namespace Edge.Quantize.Onnx;

/// <summary>One use of a tensor: the node that reads it and at which input position.</summary>
public readonly record struct TensorUse(NodeProto Node, int InputIndex);

/// <summary>
/// Who produces and who reads each tensor of a graph, and which tensors are constants. A snapshot: rebuild it after
/// changing the graph.
/// </summary>
public sealed class GraphIndex
{
    private static readonly IReadOnlyList<TensorUse> NoUses = [];

    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<TensorUse>> uses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> initializers = new(StringComparer.Ordinal);
    private readonly HashSet<string> graphOutputs;
    private readonly HashSet<string> graphInputs;
    private readonly Dictionary<NodeProto, int> positions = new(ReferenceEqualityComparer.Instance);

    public GraphIndex(GraphProto graph)
    {
        Graph = graph;
        foreach (var initializer in graph.Initializer)
        {
            initializers[initializer.Name] = initializer;
        }

        foreach (var node in graph.Node)
        {
            positions[node] = positions.Count;
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
        graphInputs = graph.Input.Select(i => i.Name).Where(name => !initializers.ContainsKey(name)).ToHashSet(StringComparer.Ordinal);
    }

    public GraphProto Graph { get; }

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

    /// <summary>A model input fed at run time (not an initializer listed among the inputs, as old exporters did).</summary>
    public bool IsGraphInput(string tensor) => graphInputs.Contains(tensor);

    /// <summary>An initializer or the output of a Constant node: known before any input arrives.</summary>
    public bool IsConstant(string tensor) => initializers.ContainsKey(tensor) || Producer(tensor)?.OpType == "Constant";

    /// <summary>The nodes reading the tensor, each once.</summary>
    public IReadOnlyList<NodeProto> ConsumerNodes(string tensor) => [.. Consumers(tensor).Select(use => use.Node).Distinct(ReferenceEqualityComparer.Instance).Cast<NodeProto>()];

    /// <summary>The node's position in the (topologically sorted) node list.</summary>
    public int Position(NodeProto node) => positions[node];

    /// <summary>A readable name for messages: the node's name, else its op type and first output.</summary>
    public static string Describe(NodeProto node) => node.Name.Length > 0 ? node.Name : $"{node.OpType}->{node.Output.FirstOrDefault()}";
}
