namespace Edge.Outputs.Metrics;

/// <summary>A metrics endpoint that cannot be served; the message is one line naming what and what was expected.</summary>
public sealed class MetricsConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
