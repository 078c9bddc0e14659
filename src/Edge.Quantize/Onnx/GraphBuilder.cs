using Edge.Quantize.Onnx.Proto;
using DataType = Edge.Quantize.Onnx.Proto.TensorProto.Types.DataType;

namespace Edge.Quantize.Onnx;

/// <summary>
/// Adds inputs, outputs, initializers and nodes to a graph, new or existing, keeping names unique, so graph rewrites
/// and tests build models the same way.
/// </summary>
internal sealed class GraphBuilder
{
    /// <summary>The first opset with per-channel QuantizeLinear/DequantizeLinear (the axis attribute).</summary>
    public const long DefaultOpset = 13;

    /// <summary>IR version 7 is the one that ONNX 1.8 introduced together with opset 13.</summary>
    public const long DefaultIrVersion = 7;

    private readonly HashSet<string> usedNames = new(StringComparer.Ordinal);

    public GraphBuilder(string graphName)
        : this(new GraphProto { Name = graphName })
    {
    }

    /// <summary>Builds onto <paramref name="graph"/> in place; its existing names count as taken.</summary>
    public GraphBuilder(GraphProto graph)
    {
        Graph = graph;
        usedNames.UnionWith(graph.Input.Select(v => v.Name));
        usedNames.UnionWith(graph.Initializer.Select(t => t.Name));
        usedNames.UnionWith(graph.Node.SelectMany(n => n.Output.Append(n.Name)).Where(name => name.Length > 0));
    }

    public GraphProto Graph { get; }

    /// <summary>A tensor or node name not yet used in the graph: <paramref name="prefix"/> itself when free, else prefix_2, prefix_3, ….</summary>
    public string UniqueName(string prefix)
    {
        var name = prefix;
        for (var suffix = 2; usedNames.Contains(name); suffix++)
        {
            name = $"{prefix}_{suffix}";
        }

        return name;
    }

    public ValueInfoProto AddInput(string name, params long[] shape)
    {
        Claim(name);
        var input = FloatTensorInfo(name, shape);
        Graph.Input.Add(input);
        return input;
    }

    /// <summary>Declares an existing tensor a graph output; the name is not claimed because a node produces it.</summary>
    public ValueInfoProto AddOutput(string name, params long[] shape)
    {
        var output = FloatTensorInfo(name, shape);
        Graph.Output.Add(output);
        return output;
    }

    public TensorProto AddInitializer(TensorProto tensor)
    {
        Claim(tensor.Name);
        Graph.Initializer.Add(tensor);
        return tensor;
    }

    /// <summary>Swaps the initializer of the same name for <paramref name="tensor"/>, in place, so its users read the new values.</summary>
    public TensorProto ReplaceInitializer(TensorProto tensor)
    {
        var index = Graph.Initializer.ToList().FindIndex(t => t.Name == tensor.Name);
        if (index < 0)
        {
            throw new ArgumentException($"graph '{Graph.Name}' has no initializer '{tensor.Name}' to replace", nameof(tensor));
        }

        Graph.Initializer[index] = tensor;
        return tensor;
    }

    public NodeProto AddNode(string name, string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        Claim(name);
        foreach (var output in outputs)
        {
            Claim(output);
        }

        var node = new NodeProto { Name = name, OpType = opType };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        Graph.Node.Add(node);
        return node;
    }

    /// <summary>A model around a copy of the graph, importing the default ONNX domain at <paramref name="opset"/>.</summary>
    public ModelProto ToModel(long opset = DefaultOpset)
    {
        var model = new ModelProto
        {
            IrVersion = DefaultIrVersion,
            ProducerName = "Edge.Quantize",
            Graph = Graph.Clone(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    private static ValueInfoProto FloatTensorInfo(string name, long[] shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float, Shape = new TensorShapeProto() };
        tensorType.Shape.Dim.Add(shape.Select(dim => new TensorShapeProto.Types.Dimension { DimValue = dim }));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    private void Claim(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("graph names must not be empty", nameof(name));
        }

        if (!usedNames.Add(name))
        {
            throw new ArgumentException($"name '{name}' is already used in graph '{Graph.Name}'", nameof(name));
        }
    }
}
