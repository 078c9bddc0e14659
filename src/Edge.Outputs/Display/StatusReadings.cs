namespace Edge.Outputs.Display;

/// <summary>The numbers the status screen shows beside the active labels.</summary>
/// <param name="FramesPerSecond">Label sets published per second since the previous redraw.</param>
/// <param name="P99LatencyMs">99th percentile of recent capture-to-publish latency; NaN before anything was published.</param>
/// <param name="DeadlineMisses">Frames that missed their deadline since start (late, withheld or cancelled).</param>
/// <param name="Level">The degrade level in force (0: full quality).</param>
internal readonly record struct StatusReadings(double FramesPerSecond, double P99LatencyMs, long DeadlineMisses, int Level);
