namespace Edge.Runtime.Inference.TensorRt;

/// <summary>What the TensorRT engine cache needs to know about a model: its hash (the cache key) and its precision.</summary>
public sealed record ModelIdentity(string Sha256, string Precision);
