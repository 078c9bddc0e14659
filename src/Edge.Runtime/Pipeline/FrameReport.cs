using Edge.Camera.Frames;
using Edge.Runtime.Decoding;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Pipeline;

/// <summary>What happened to one frame, as the pipeline hands it to every <see cref="IFrameOutput"/>.</summary>
public readonly record struct FrameReport
{
    /// <summary>The stream the frame came from (<see cref="StreamId"/>); outputs keep their state per stream.</summary>
    public required string Stream { get; init; }

    /// <summary>The inference head that labelled it: its model's name (a stream may feed several heads).</summary>
    public required string Model { get; init; }

    public required long Frame { get; init; }

    /// <summary>The frame itself (BGR pixels as the camera delivered them, sized for the model input), when the pipeline
    /// had one. Valid only during the call: the pool reuses it for a later capture.</summary>
    public Frame? Image { get; init; }

    public required FrameOutcome Outcome { get; init; }

    /// <summary>Per-stage latency; zero for stages the frame did not reach.</summary>
    public required StageLatency Latency { get; init; }

    /// <summary>Capture to the label set handed to the outputs; NaN when nothing was published.</summary>
    public required double EndToEndMs { get; init; }

    /// <summary>The degrade level in force after this frame.</summary>
    public required int Level { get; init; }

    /// <summary>The decoded label state (active, turned on/off, scores) when the frame was decoded, else null. Valid only during the call.</summary>
    public MultiLabelDecoder? Labels { get; init; }

    /// <summary>The label-set message (one UTF-8 JSON line, newline included) when the frame was published, else empty. Valid only during the call.</summary>
    public ReadOnlyMemory<byte> Message { get; init; }

    /// <summary>The pipeline's counters, live (an output on another thread may read them later); null outside a pipeline.</summary>
    public PipelineStats? Stats { get; init; }
}
