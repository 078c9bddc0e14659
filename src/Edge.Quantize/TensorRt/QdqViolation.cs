namespace Edge.Quantize.TensorRt;

/// <summary>
/// One way a QDQ model departs from what TensorRT's explicit INT8 quantization accepts.
/// </summary>
/// <param name="Node">The offending node's name (op type and first output when it has none).</param>
/// <param name="Rule">One of the rule names in <see cref="TensorRtQdqRules"/>.</param>
/// <param name="Detail">One sentence naming what is wrong and what TensorRT expects.</param>
public sealed record QdqViolation(string Node, string Rule, string Detail);
