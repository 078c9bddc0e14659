using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;

namespace Edge.Runtime.Tests.Decoding;

/// <summary>z' = z + M·z + b, and the decoder applying it before the sigmoid.</summary>
public sealed class LogitRescoringTests
{
    private const float Tolerance = 1e-6f;

    // Label 0 gathers 0.1 of label 1's logit; label 2 gathers 0.05 of labels 0 and 1.
    private static readonly float[] Matrix =
    [
        0f, 0.1f, 0f,
        0f, 0f, 0f,
        0.05f, 0.05f, 0f,
    ];

    [Fact]
    public void Apply_KnownMatrixAndBias_GivesZPlusMzPlusB()
    {
        var rescoring = new LogitRescoring(Matrix, [0.25f, 0f, -0.5f]);
        var corrected = new float[3];

        rescoring.Apply([-1f, 3f, 2f], corrected);

        Assert.Equal(-1f + 0.3f + 0.25f, corrected[0], Tolerance);
        Assert.Equal(3f, corrected[1], Tolerance);
        Assert.Equal(2f + (0.05f * -1f) + (0.05f * 3f) - 0.5f, corrected[2], Tolerance);
    }

    [Fact]
    public void Decode_LogitBelowThresholdWithCooccurringLabelOn_FlipsOn()
    {
        // Label 0: logit -0.2 -> sigmoid 0.450, below its 0.5 threshold; label 1 is clearly there (logit 4).
        // Re-scored: -0.2 + 0.1 * 4 = 0.2 -> sigmoid 0.550, on.
        var rescoring = new LogitRescoring(Matrix, [0f, 0f, 0f]);
        var plain = Decoder();
        var rescored = Decoder();
        float[] logits = [-0.2f, 4f, -3f];

        plain.Decode(logits);
        rescored.Decode(logits, rescoring);

        Assert.Equal(Sigmoid(-0.2), plain.Scores[0], Tolerance);
        Assert.Equal([1], plain.Active.ToArray());
        Assert.Equal(Sigmoid(0.2), rescored.Scores[0], Tolerance);
        Assert.Equal(Sigmoid(4), rescored.Scores[1], Tolerance);
        Assert.Equal(Sigmoid(-3 + (0.05 * -0.2) + (0.05 * 4)), rescored.Scores[2], Tolerance);
        Assert.Equal([1, 0], rescored.Active.ToArray());
        Assert.Equal([0, 1], rescored.TurnedOn.ToArray());
    }

    [Fact]
    public void Decode_WithoutRescoring_LeavesTheOutputsUntouched()
    {
        var decoder = Decoder();
        float[] logits = [-0.2f, 4f, -3f];

        decoder.Decode(logits, new LogitRescoring(Matrix, [0f, 0f, 0f]));
        decoder.Decode(logits);

        Assert.Equal([-0.2f, 4f, -3f], logits);
        Assert.Equal(Sigmoid(-0.2), decoder.Scores[0], Tolerance);
    }

    [Fact]
    public void Decode_RescoringForAProbabilitiesModel_Throws()
    {
        var decoder = new MultiLabelDecoder(Labels(), OutputKind.Probabilities, new DecoderOptions());

        var exception = Assert.Throws<ArgumentException>(() => decoder.Decode([0.2f, 0.9f, 0.1f], new LogitRescoring(Matrix, [0f, 0f, 0f])));

        Assert.Contains("probabilities", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RescoringForOtherLabels_Throws()
    {
        var decoder = Decoder();

        Assert.Throws<ArgumentException>(() => decoder.Decode([0.2f, 0.9f, 0.1f], new LogitRescoring(new float[4], [0f, 0f])));
    }

    [Fact]
    public void Constructor_MatrixNotLabelsByLabels_Throws()
    {
        Assert.Throws<ArgumentException>(() => new LogitRescoring(new float[6], [0f, 0f, 0f]));
    }

    [Fact]
    public void Constructor_NonFiniteValue_Throws()
    {
        Assert.Throws<ArgumentException>(() => new LogitRescoring([0f, float.NaN, 0f, 0f], [0f, 0f]));
    }

    [Fact]
    public void Apply_OutputOverlapsInput_Throws()
    {
        var rescoring = new LogitRescoring(Matrix, [0f, 0f, 0f]);
        var values = new float[3];

        Assert.Throws<ArgumentException>(() => rescoring.Apply(values, values));
    }

    private static MultiLabelDecoder Decoder() => new(Labels(), OutputKind.Logits, new DecoderOptions());

    private static LabelThreshold[] Labels() => [new("a", 0.5f, 0.4f), new("b", 0.5f, 0.4f), new("c", 0.5f, 0.4f)];

    private static float Sigmoid(double logit) => (float)(1 / (1 + Math.Exp(-logit)));
}
