namespace Edge.Runtime.Control;

// What each control change reports once applied. Plain records (serialised by an HTTP layer with System.Text.Json
// source generation). "LastFrameBefore" is the sequence number of the stream's last frame the change did not reach
// (0: none yet): every later frame of the stream was handled under the change.

/// <summary>A stream paused or resumed.</summary>
public sealed record PauseResult(string Stream, bool Paused, long LastFrameBefore);

/// <summary>One label's thresholds in force: it turns on at <paramref name="Threshold"/> and off below <paramref name="OffThreshold"/>.</summary>
public sealed record LabelThresholdStatus(string Label, float Threshold, float OffThreshold);

/// <summary>The thresholds of one head of a stream, every label, as in force after a change.</summary>
public sealed record HeadThresholds(string Head, long LastFrameBefore, IReadOnlyList<LabelThresholdStatus> Labels);

/// <summary>Thresholds changed on the heads of a stream (all of them, or the one named).</summary>
public sealed record ThresholdsResult(string Stream, IReadOnlyList<HeadThresholds> Heads);

/// <summary>One head's budget and miss policy as in force after a change (a head's budget is capped by its own, the degrade policy is the configured model's only).</summary>
public sealed record HeadBudget(string Head, double BudgetMs, string MissPolicy, long LastFrameBefore);

/// <summary>A stream's budget and miss policy after a change, and each head's.</summary>
public sealed record BudgetResult(string Stream, double BudgetMs, string MissPolicy, IReadOnlyList<HeadBudget> Heads);

/// <summary>A stream joined the run: the heads it feeds; its first frame is the first its camera captures.</summary>
public sealed record StreamAdded(string Stream, string Source, IReadOnlyList<string> Heads);

/// <summary>A stream left the run after frame <paramref name="LastFrame"/> (the last one taken from its camera).</summary>
public sealed record StreamRemoved(string Stream, long LastFrame);
