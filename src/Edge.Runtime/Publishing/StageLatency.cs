namespace Edge.Runtime.Publishing;

/// <summary>Per-stage latency of one frame, in milliseconds.</summary>
public struct StageLatency
{
    /// <summary>From capture to the pipeline taking the frame (time spent waiting in the hand-off).</summary>
    public double Queue;

    public double Preprocess;

    public double Inference;

    public double Decode;

    /// <summary>From capture to the label set being ready to publish.</summary>
    public double Total;
}
