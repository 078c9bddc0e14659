namespace Edge.Runtime.Control;

// A snapshot of the running pipeline (RuntimeControl.Status): plain records for System.Text.Json source generation.
// Latencies are null until a frame was published; rates count label sets over the last few seconds.

/// <summary>The pipeline now: the models its heads run, each stream, and the sums over the streams.</summary>
public sealed record RuntimeStatus(string Device, IReadOnlyList<HeadStatus> Heads, IReadOnlyList<StreamStatus> Streams, StatusTotals Totals);

/// <summary>An inference head and the model it runs now.</summary>
/// <param name="Sha256Prefix">The first 12 hex digits of the model's hash.</param>
/// <param name="ExecutionProvider">The ONNX Runtime execution provider in use.</param>
public sealed record HeadStatus(string Name, string Model, string Precision, string Sha256Prefix, string ExecutionProvider, int MaxBatch);

/// <summary>One stream: its camera and the lane of each head it feeds.</summary>
/// <param name="Source">The source as configured, credentials masked.</param>
/// <param name="BudgetMs">The stream's budget (a head may have a tighter one of its own).</param>
public sealed record StreamStatus(string Id, string Source, bool Connected, bool Paused, long Captured, long Overwritten, double BudgetMs, string MissPolicy, IReadOnlyList<LaneStatus> Heads);

/// <summary>One head's work on one stream's frames.</summary>
/// <param name="Level">Degrade level in force (0: the configured model at full rate); <paramref name="Profile"/> names it.</param>
/// <param name="Missed">Frames that missed their deadline while processed: late, withheld and cancelled.</param>
/// <param name="DroppedStale">Frames dropped before any work, past their deadline or predicted to miss it.</param>
/// <param name="PredictedMisses">Of those, the ones predicted to miss even in a batch of one.</param>
/// <param name="Paused">Frames taken while the stream was paused.</param>
/// <param name="Fps">Label sets published per second over the last few seconds.</param>
public sealed record LaneStatus(string Head, string Model, double BudgetMs, string MissPolicy, int Level, string Profile, long Published, long Missed, long DroppedStale, long PredictedMisses, long Paused, double Fps, double? EndToEndP50Ms, double? EndToEndP99Ms);

/// <summary>Sums over every stream and head.</summary>
public sealed record StatusTotals(int Streams, long Captured, long Published, long Missed, long DroppedStale, double Fps);
