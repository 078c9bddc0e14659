using Edge.Quantize.Onnx.Proto;

namespace Edge.Quantize.Graph;

/// <summary>A weight initializer quantized per channel along <paramref name="Axis"/> for <paramref name="Node"/>.</summary>
public sealed record WeightUse(NodeProto Node, int InputIndex, string Initializer, int Axis);

/// <summary>
/// What a quantization pass will do: which nodes run quantized, which activation tensors get Q/DQ (and which of
/// their consumers read the dequantized value), which weights are quantized, and what stays in float.
/// </summary>
public sealed record QuantizationPlan
{
    public required QuantizationTarget Target { get; init; }

    public required IReadOnlyList<NodeProto> QuantizedNodes { get; init; }

    /// <summary>Activation tensors that get a Q/DQ pair, in graph order.</summary>
    public required IReadOnlyList<string> Activations { get; init; }

    /// <summary>For each activation, the consumers rewired to its dequantized value.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<NodeProto>> Rewired { get; init; }

    public required IReadOnlyList<WeightUse> Weights { get; init; }

    /// <summary>Nodes of operators the quantizer does not know, left in float (only with --allow-float-fallback).</summary>
    public required IReadOnlyList<string> FloatFallbacks { get; init; }

    /// <summary>Nodes kept in float because the user (or the automatic mode) excluded them.</summary>
    public required IReadOnlyList<string> Excluded { get; init; }
}

/// <summary>Which nodes to keep in float.</summary>
public sealed record Exclusions
{
    public static readonly Exclusions None = new();

    public IReadOnlySet<string> NodeNames { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public IReadOnlySet<string> OperatorTypes { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Keep the first weight layer(s) (those reading the model input) in float.</summary>
    public bool FirstLayer { get; init; }

    /// <summary>Keep the last weight layer(s) (those whose output reaches a model output without another weight layer) in float.</summary>
    public bool LastLayer { get; init; }

    public Exclusions WithNode(string name) => this with { NodeNames = new HashSet<string>(NodeNames, StringComparer.Ordinal) { name } };
}
