using Edge.Quantize.Onnx.Proto;

namespace Edge.Quantize.Graph;

/// <summary>Who produces and who consumes each tensor of a graph, and which tensors are constants.</summary>
public sealed class GraphIndex
{
    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> initializers = new(StringComparer.Ordinal);
    private readonly HashSet<string> graphInputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> graphOutputs = new(StringComparer.Ordinal);
    private readonly Dictionary<NodeProto, int> order = new(ReferenceEqualityComparer.Instance);

    public GraphIndex(GraphProto graph)
    {
        Graph = graph;
        foreach (var initializer in graph.Initializer)
        {
            initializers[initializer.Name] = initializer;
        }

        foreach (var input in graph.Input.Where(i => !initializers.ContainsKey(i.Name)))
        {
            graphInputs.Add(input.Name);
        }

        foreach (var output in graph.Output)
        {
            graphOutputs.Add(output.Name);
        }

        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            order[node] = i;
            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                producers[output] = node;
            }

            foreach (var input in node.Input.Where(i => i.Length > 0))
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }
        }
    }

    public GraphProto Graph { get; }

    public NodeProto? Producer(string tensor) => producers.GetValueOrDefault(tensor);

    public IReadOnlyList<NodeProto> Consumers(string tensor) => consumers.TryGetValue(tensor, out var list) ? list : [];

    public TensorProto? Initializer(string tensor) => initializers.GetValueOrDefault(tensor);

    public bool IsGraphInput(string tensor) => graphInputs.Contains(tensor);

    public bool IsGraphOutput(string tensor) => graphOutputs.Contains(tensor);

    /// <summary>An initializer or the output of a Constant node: known before any input arrives.</summary>
    public bool IsConstant(string tensor) => initializers.ContainsKey(tensor) || Producer(tensor)?.OpType == "Constant";

    /// <summary>The node's position in the (topologically sorted) node list.</summary>
    public int Position(NodeProto node) => order[node];

    /// <summary>A readable name for messages: the node's name, else its op type and first output.</summary>
    public static string Describe(NodeProto node) => node.Name.Length > 0 ? node.Name : $"{node.OpType}->{node.Output.FirstOrDefault()}";
}
