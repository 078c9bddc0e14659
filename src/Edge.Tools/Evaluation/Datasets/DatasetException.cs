namespace Edge.Tools.Evaluation.Datasets;

/// <summary>A dataset that is missing, malformed or names images that do not exist; the one-line message says where and what was expected.</summary>
public sealed class DatasetException(string message, Exception? inner = null) : Exception(message, inner);
