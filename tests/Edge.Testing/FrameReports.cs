using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Testing;

/// <summary>Reports shaped like the pipeline's: only decoded frames carry stage latencies, only published ones an end-to-end.</summary>
internal static class FrameReports
{
    public static FrameReport Of(FrameOutcome outcome, long frame = 1, int level = 0, string stream = StreamId.Default, string model = "model")
    {
        var decoded = outcome is FrameOutcome.Published or FrameOutcome.PublishedLate or FrameOutcome.Withheld;
        var published = outcome is FrameOutcome.Published or FrameOutcome.PublishedLate;
        return new FrameReport
        {
            Stream = stream,
            Model = model,
            Frame = frame,
            Outcome = outcome,
            Latency = decoded ? new StageLatency { Queue = 0.5, Preprocess = 3, Inference = 20, Decode = 0.2, Total = 23.7 } : default,
            EndToEndMs = published ? 30 : double.NaN,
            Level = level,
        };
    }
}
