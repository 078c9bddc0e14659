using Edge.Runtime.Decoding;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Pipeline;

/// <summary>What happened to one frame, for observers (metrics, outputs, displays).</summary>
public readonly record struct FrameReport
{
    public required long Frame { get; init; }

    public required FrameOutcome Outcome { get; init; }

    /// <summary>Per-stage latency; zero for stages the frame did not reach.</summary>
    public required StageLatency Latency { get; init; }

    /// <summary>Capture to label set handed to the sink; NaN when nothing was published.</summary>
    public required double EndToEndMs { get; init; }

    /// <summary>The degrade level in force after this frame.</summary>
    public required int Level { get; init; }

    /// <summary>The decoded label state (active, turned on/off, scores) when the frame was decoded, else null. Valid only during the call.</summary>
    public MultiLabelDecoder? Labels { get; init; }
}

/// <summary>
/// Told about every frame the pipeline handled, on the frame thread, after publishing: must return quickly and not
/// allocate (hand work to another thread if it has any).
/// </summary>
public interface IFrameObserver
{
    void OnFrame(in FrameReport report);
}
