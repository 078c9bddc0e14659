using Edge.Runtime.Budget;

namespace Edge.Runtime.Events;

public enum PipelineEventKind
{
    DeadlineMissed,
    Degraded,
    Recovered,

    /// <summary>A label became active in a published label set.</summary>
    LabelOn,

    /// <summary>A label stopped being active in a published label set.</summary>
    LabelOff,

    /// <summary>The camera stopped delivering; the capture loop reconnects.</summary>
    CameraLost,

    /// <summary>The camera delivers again.</summary>
    CameraRecovered,

    /// <summary>A head's model was swapped while frames flowed (<see cref="Pipeline.ModelSwap"/>); one event per stream the head labels.</summary>
    ModelSwapped,
}

public enum MissReason
{
    /// <summary>Finished after the deadline.</summary>
    Late,

    /// <summary>Inference was still running at the deadline and was terminated.</summary>
    Cancelled,

    /// <summary>Finished in time overall, but a stage took longer than its own budget.</summary>
    StageOverrun,
}

/// <summary>A state change of the frame path (schema <c>edge.event/1</c>, docs/budgets.md). A value type: raising one allocates nothing.</summary>
public readonly record struct PipelineEvent
{
    public required PipelineEventKind Kind { get; init; }

    /// <summary>The stream the event is about (<see cref="Pipeline.StreamId"/>).</summary>
    public required string Stream { get; init; }

    /// <summary>Sequence number of the frame that caused the event.</summary>
    public required long Frame { get; init; }

    public required DateTimeOffset At { get; init; }

    // deadline_missed
    public MissReason Reason { get; init; }

    /// <summary>The stage at fault: inference for a cancellation, the overrun stage, else null.</summary>
    public PipelineStage? Stage { get; init; }

    /// <summary>Capture to the moment the miss was known.</summary>
    public double LatencyMs { get; init; }

    public double BudgetMs { get; init; }

    /// <summary>Whether a label set (marked late) was published for the frame.</summary>
    public bool Published { get; init; }

    public DeadlineMissedStatus Status { get; init; }

    // degraded / recovered
    public int Level { get; init; }

    /// <summary>Name of the profile now in force (the model's name at level 0, else the ladder step's).</summary>
    public string? Profile { get; init; }

    public double MissRate { get; init; }

    // label_on / label_off

    /// <summary>The label's name.</summary>
    public string? Label { get; init; }

    // camera_lost / camera_recovered

    /// <summary>The source as configured.</summary>
    public string? Source { get; init; }

    // model_swapped: Frame is the stream's last frame the previous model labelled.

    /// <summary>The head whose model was swapped.</summary>
    public string? Head { get; init; }

    /// <summary>The model the head runs now (manifest <c>name</c>), its hash and precision.</summary>
    public string? Model { get; init; }

    public string? Sha256 { get; init; }

    public string? Precision { get; init; }

    /// <summary>The model the head ran before.</summary>
    public string? PreviousModel { get; init; }

    /// <summary>How long each step of the swap took.</summary>
    public Pipeline.SwapTimings Swap { get; init; }
}
