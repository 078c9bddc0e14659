using Edge.Runtime.Budget;

namespace Edge.Runtime.Options;

/// <summary>
/// One camera stream of a multi-camera run: its id (in every message, topic and metric), its source, and what it
/// overrides of the run's settings. Unset overrides take the run's value.
/// </summary>
public sealed record StreamOptions
{
    /// <summary>The stream id (<see cref="Pipeline.StreamId"/>).</summary>
    public required string Id { get; init; }

    /// <summary>Frame source, as <c>--source</c> takes it.</summary>
    public required string Source { get; init; }

    /// <summary>This stream's end-to-end budget; the run's <c>budget_ms</c> when null.</summary>
    public double? BudgetMs { get; init; }

    /// <summary>This stream's miss policy; the run's when null.</summary>
    public MissPolicy? MissPolicy { get; init; }

    /// <summary>Per-label threshold overrides for this stream's label sets (label name to thresholds).</summary>
    public IReadOnlyDictionary<string, ThresholdOverride>? Thresholds { get; init; }

    /// <summary>The inference heads this stream feeds, by name; every configured head when null.</summary>
    public IReadOnlyList<string>? Heads { get; init; }

    /// <summary>Whether the run counts as alive only while this stream is (the systemd watchdog, <c>/healthz</c>).</summary>
    public bool Required { get; init; } = true;
}

/// <summary>A label's on threshold and, optionally, its off threshold (hysteresis); the manifest's when unset.</summary>
public sealed record ThresholdOverride
{
    public required float Threshold { get; init; }

    public float? OffThreshold { get; init; }
}

/// <summary>
/// A further model run on the same frames as the configured one (the configured model is the first head): each head
/// publishes its own label sets, named after it, with its own thresholds and budget.
/// </summary>
public sealed record HeadOptions
{
    /// <summary>The head's name: label sets, topics and metrics say which head labelled them (<see cref="Pipeline.StreamId"/>'s rules).</summary>
    public required string Name { get; init; }

    /// <summary>Model bundle folder.</summary>
    public required string Model { get; init; }

    /// <summary>This head's share of the stream's budget, in ms from capture; the stream's budget when null.</summary>
    public double? BudgetMs { get; init; }

    /// <summary>Per-label threshold overrides for this head's label sets.</summary>
    public IReadOnlyDictionary<string, ThresholdOverride>? Thresholds { get; init; }
}
