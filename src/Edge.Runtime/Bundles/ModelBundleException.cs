namespace Edge.Runtime.Bundles;

/// <summary>A model bundle that is missing, unreadable or disagrees with its ONNX file; the message names the field.</summary>
public sealed class ModelBundleException(string message, Exception? inner = null) : Exception(message, inner);
