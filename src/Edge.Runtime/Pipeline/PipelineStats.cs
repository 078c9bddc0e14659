namespace Edge.Runtime.Pipeline;

/// <summary>Counters and latency samples of one run.</summary>
public sealed class PipelineStats
{
    public long Published { get; internal set; }

    /// <summary>Frames already past their deadline when the pipeline reached them: dropped unprocessed.</summary>
    public long DroppedStale { get; internal set; }

    /// <summary>Published frames that finished after their deadline.</summary>
    public long DeadlineMissed { get; internal set; }

    /// <summary>Synthetic frames only: sum of per-frame example-based F1 against ground truth.</summary>
    public double TruthF1Sum { get; internal set; }

    public long TruthFrames { get; internal set; }

    public double MeanTruthF1 => TruthFrames == 0 ? double.NaN : TruthF1Sum / TruthFrames;

    public LatencyRecorder Queue { get; } = new();

    public LatencyRecorder Preprocess { get; } = new();

    public LatencyRecorder Inference { get; } = new();

    public LatencyRecorder Decode { get; } = new();

    public LatencyRecorder Total { get; } = new();
}
