using Edge.Runtime.Budget;

namespace Edge.Runtime.Pipeline;

/// <summary>Counters and latency samples of one run.</summary>
public sealed class PipelineStats
{
    private readonly long[] stageOverruns = new long[Enum.GetValues<PipelineStage>().Length];
    private long[] batchSizes = new long[8];

    public long Published { get; internal set; }

    /// <summary>Frames already past their deadline (or queue budget) when the pipeline reached them: dropped unprocessed.</summary>
    public long DroppedStale { get; internal set; }

    /// <summary>Frames taken from a paused stream: not inferred, nothing published.</summary>
    public long Paused { get; internal set; }

    /// <summary>Label sets published per second over the last few seconds.</summary>
    public FrameRate PublishRate { get; } = new();

    /// <summary>Frames passed over on purpose by a degrade step that processes one frame in N.</summary>
    public long Skipped { get; internal set; }

    /// <summary>Published label sets that missed their deadline (marked <c>deadline_met: false</c>).</summary>
    public long Late { get; internal set; }

    /// <summary>Label sets that missed their deadline and were not published (miss policy <c>drop</c>).</summary>
    public long Withheld { get; internal set; }

    /// <summary>Inferences terminated at their deadline.</summary>
    public long Cancelled { get; internal set; }

    /// <summary>Frames that missed their deadline while being processed: late + withheld + cancelled.</summary>
    public DeadlineMissCounter DeadlineMisses { get; } = new();

    public long Missed => DeadlineMisses.TotalCount;

    /// <summary>Frames over a per-stage budget, by stage.</summary>
    public long StageOverruns(PipelineStage stage) => stageOverruns[(int)stage];

    internal void RecordOverrun(PipelineStage stage) => stageOverruns[(int)stage]++;

    /// <summary>Frames given up before any work because even a batch of one was predicted to miss their deadline (counted in <see cref="DroppedStale"/> too).</summary>
    public long PredictedMisses { get; internal set; }

    /// <summary>Decoded frames by the size of the batch they were inferred in: index n - 1 counts batches of n.</summary>
    public ReadOnlySpan<long> BatchSizes => batchSizes;

    internal void RecordBatch(int size)
    {
        if (size > batchSizes.Length)
        {
            Array.Resize(ref batchSizes, Math.Max(size, batchSizes.Length * 2));
        }

        batchSizes[size - 1]++;
    }

    public long Degradations { get; internal set; }

    public long Recoveries { get; internal set; }

    /// <summary>Synthetic frames only: sum of per-frame example-based F1 against ground truth.</summary>
    public double TruthF1Sum { get; internal set; }

    public long TruthFrames { get; internal set; }

    public double MeanTruthF1 => TruthFrames == 0 ? double.NaN : TruthF1Sum / TruthFrames;

    public LatencyRecorder Queue { get; } = new();

    public LatencyRecorder Preprocess { get; } = new();

    public LatencyRecorder Inference { get; } = new();

    public LatencyRecorder Decode { get; } = new();

    /// <summary>Serialising the label set (the outputs are told after it).</summary>
    public LatencyRecorder Publish { get; } = new();

    /// <summary>Capture to the label set ready for the outputs, for published frames.</summary>
    public LatencyRecorder EndToEnd { get; } = new();

    /// <summary>From the deadline to the terminated inference returning, for cancelled frames.</summary>
    public LatencyRecorder CancelDelay { get; } = new(4096);

    public LatencyRecorder Stage(PipelineStage stage) => stage switch
    {
        PipelineStage.Queue => Queue,
        PipelineStage.Preprocess => Preprocess,
        PipelineStage.Inference => Inference,
        PipelineStage.Decode => Decode,
        _ => Publish,
    };
}
