namespace Edge.Outputs.Metrics;

/// <summary>Which model the runtime serves, exposed as the labels of <c>edge_model_info</c>.</summary>
/// <param name="ExecutionProvider">The ONNX Runtime execution provider, exposed as the label <c>ep</c>.</param>
public sealed record ModelInfo(string Model, string Sha256, string Precision, string ExecutionProvider);
