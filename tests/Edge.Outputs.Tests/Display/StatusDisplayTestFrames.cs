using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Runtime.Pipeline;

namespace Edge.Outputs.Tests.Display;

/// <summary>Fashion-MNIST label names and frame reports whose decoder has chosen labels active.</summary>
internal static class StatusDisplayTestFrames
{
    public static readonly string[] Names =
        ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

    public static MultiLabelDecoder DecoderWith(params int[] active)
    {
        var decoder = new MultiLabelDecoder([.. Names.Select(name => new LabelThreshold(name, 0.5f, 0.4f))], OutputKind.Probabilities, new DecoderOptions());
        var scores = new float[Names.Length];
        for (var rank = 0; rank < active.Length; rank++)
        {
            scores[active[rank]] = 0.99f - (rank * 0.01f);
        }

        decoder.Decode(scores);
        return decoder;
    }

    public static FrameReport Published(long frame, double endToEndMs, MultiLabelDecoder labels, int level = 0) => new()
    {
        Stream = StreamId.Default,
        Model = "model",
        Frame = frame,
        Outcome = FrameOutcome.Published,
        Latency = default,
        EndToEndMs = endToEndMs,
        Level = level,
        Labels = labels,
    };

    public static FrameReport Other(long frame, FrameOutcome outcome, int level = 0) => new()
    {
        Stream = StreamId.Default,
        Model = "model",
        Frame = frame,
        Outcome = outcome,
        Latency = default,
        EndToEndMs = outcome == FrameOutcome.PublishedLate ? 50 : double.NaN,
        Level = level,
    };
}
