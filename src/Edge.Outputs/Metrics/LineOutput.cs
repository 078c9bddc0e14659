using Edge.Runtime.Publishing;

namespace Edge.Outputs.Metrics;

/// <summary>A JSON-lines sink and the flag that named it (<c>output</c>, <c>events</c>), for the output metrics.</summary>
public sealed record LineOutput(string Flag, JsonLinesSink Sink);
