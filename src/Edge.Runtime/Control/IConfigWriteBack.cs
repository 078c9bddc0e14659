using Edge.Runtime.Budget;
using Edge.Runtime.Options;

namespace Edge.Runtime.Control;

/// <summary>
/// Writes a change asked to be persisted into the configuration the run started from (<c>edge run --config FILE</c>),
/// so the next start runs as this one does now. Called by <see cref="RuntimeControl"/> off the frame thread, one change
/// at a time, after the change was validated and before it is applied. Each method writes the whole change or throws
/// <see cref="ControlException"/> (<see cref="ControlErrorKind.Conflict"/>: the file cannot take it, or changed since
/// the run started) leaving the file as it was.
/// </summary>
public interface IConfigWriteBack
{
    /// <summary>Where the changes go (shown in messages).</summary>
    string Path { get; }

    /// <summary>The stream's per-label thresholds (merged into those the file has for it).</summary>
    void SetThresholds(string stream, IReadOnlyDictionary<string, ThresholdOverride> thresholds);

    /// <summary>The stream's budget and/or miss policy (a null one is left as the file has it).</summary>
    void SetBudget(string stream, double? budgetMs, MissPolicy? policy);

    void AddStream(StreamOptions stream);

    void RemoveStream(string stream);
}
