using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;

namespace Edge.Runtime.Tests;

public sealed class MultiLabelDecoderTests
{
    private const float Tolerance = 1e-6f;

    [Fact]
    public void Decode_Logits_AppliesSigmoid()
    {
        var decoder = Decoder(OutputKind.Logits, Labels(0.45f, 0.5f, 0.5f));

        decoder.Decode([0f, 2f, -3f]);

        Assert.Equal(0.5f, decoder.Scores[0], Tolerance);
        Assert.Equal((float)(1 / (1 + Math.Exp(-2))), decoder.Scores[1], Tolerance);
        Assert.Equal((float)(1 / (1 + Math.Exp(3))), decoder.Scores[2], Tolerance);
        Assert.Equal([0, 1], decoder.Active.ToArray().Order());
    }

    [Fact]
    public void Withhold_TransitionsOfAnUnpublishedDecode_CarryOverToTheNext()
    {
        var decoder = Decoder(OutputKind.Probabilities, Labels(0.5f, 0.5f, 0.5f));
        decoder.Decode([0.9f, 0.1f, 0.1f]);

        decoder.Decode([0.1f, 0.9f, 0.1f]); // label 0 off, label 1 on: never published
        decoder.Withhold();
        decoder.Decode([0.1f, 0.9f, 0.9f]);

        Assert.Equal([1, 2], decoder.TurnedOn.ToArray().Order());
        Assert.Equal([0], decoder.TurnedOff.ToArray());
    }

    [Fact]
    public void Withhold_ChangeUndoneWhileWithheld_ReportsNoTransition()
    {
        var decoder = Decoder(OutputKind.Probabilities, Labels(0.5f, 0.5f, 0.5f));
        decoder.Decode([0.9f, 0.1f, 0.1f]);

        decoder.Decode([0.1f, 0.1f, 0.1f]);
        decoder.Withhold();
        decoder.Decode([0.9f, 0.1f, 0.1f]);

        Assert.Empty(decoder.TurnedOn.ToArray());
        Assert.Empty(decoder.TurnedOff.ToArray());
        Assert.Equal([0], decoder.Active.ToArray());
    }

    [Fact]
    public void Decode_Probabilities_UsesScoresAsGiven()
    {
        var decoder = Decoder(OutputKind.Probabilities, Labels(0.5f, 0.5f, 0.5f));

        decoder.Decode([0.7f, 0.2f, 0f]);

        Assert.Equal([0.7f, 0.2f, 0f], decoder.Scores.ToArray());
        Assert.Equal([0], decoder.Active.ToArray());
    }

    [Fact]
    public void Decode_PerLabelThresholds_EachLabelUsesItsOwn()
    {
        var decoder = Decoder(OutputKind.Probabilities, Labels(0.3f, 0.7f, 0.5f));

        decoder.Decode([0.5f, 0.5f, 0.5f]);

        Assert.True(decoder.IsActive(0));
        Assert.False(decoder.IsActive(1));
        Assert.True(decoder.IsActive(2)); // exactly at the threshold turns on
        Assert.Equal(2, decoder.ActiveCount);
    }

    [Fact]
    public void Decode_Hysteresis_OnAtThresholdStaysOnAboveOffTurnsOffBelowOff()
    {
        var decoder = Decoder(OutputKind.Probabilities, [new LabelThreshold("a", 0.6f, 0.4f)]);
        float[] sequence = [0.59f, 0.6f, 0.5f, 0.4f, 0.39f, 0.5f, 0.59f, 0.61f];
        bool[] expected = [false, true, true, true, false, false, false, true];

        var actual = new bool[sequence.Length];
        for (var i = 0; i < sequence.Length; i++)
        {
            decoder.Decode([sequence[i]]);
            actual[i] = decoder.IsActive(0);
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Decode_StateChanges_ReportedOnlyOnTheFrameTheyHappen()
    {
        var decoder = Decoder(OutputKind.Probabilities, Labels(0.5f, 0.5f, 0.5f));

        decoder.Decode([0.9f, 0.1f, 0.8f]);
        Assert.Equal([0, 2], decoder.TurnedOn.ToArray());
        Assert.Empty(decoder.TurnedOff.ToArray());

        decoder.Decode([0.9f, 0.1f, 0.8f]);
        Assert.Empty(decoder.TurnedOn.ToArray());
        Assert.Empty(decoder.TurnedOff.ToArray());

        decoder.Decode([0.1f, 0.9f, 0.8f]);
        Assert.Equal([1], decoder.TurnedOn.ToArray());
        Assert.Equal([0], decoder.TurnedOff.ToArray());
        Assert.Equal(1, decoder.TurnedOnCount);
        Assert.Equal(1, decoder.TurnedOffCount);

        decoder.Decode([0.1f, 0.1f, 0.1f]);
        Assert.Empty(decoder.TurnedOn.ToArray());
        Assert.Equal([1, 2], decoder.TurnedOff.ToArray());
        Assert.Equal(0, decoder.ActiveCount);
    }

    [Fact]
    public void Decode_Smoothing_IsExponentialMovingAverage()
    {
        var decoder = Decoder(OutputKind.Probabilities, Labels(0.5f, 0.5f), smoothing: 0.25f);

        decoder.Decode([0.8f, 0f]);
        Assert.Equal(0.8f, decoder.Scores[0], Tolerance); // first frame: no history
        Assert.Equal(0f, decoder.Scores[1], Tolerance);

        decoder.Decode([0.4f, 1f]);
        Assert.Equal((0.75f * 0.4f) + (0.25f * 0.8f), decoder.Scores[0], Tolerance); // 0.5
        Assert.Equal(0.75f, decoder.Scores[1], Tolerance);

        decoder.Decode([0f, 1f]);
        Assert.Equal(0.125f, decoder.Scores[0], Tolerance);
        Assert.Equal((0.75f * 1f) + (0.25f * 0.75f), decoder.Scores[1], Tolerance); // 0.9375
    }

    [Fact]
    public void Decode_Smoothing_ThresholdsApplyToSmoothedScore()
    {
        var decoder = Decoder(OutputKind.Probabilities, Labels(0.5f), smoothing: 0.5f);

        decoder.Decode([0f]);
        decoder.Decode([0.9f]); // smoothed 0.45: below the threshold although the fresh score is above

        Assert.Equal(0.45f, decoder.Scores[0], Tolerance);
        Assert.False(decoder.IsActive(0));
    }

    [Fact]
    public void Decode_SmoothedLogits_SmoothsSigmoidScores()
    {
        var decoder = Decoder(OutputKind.Logits, Labels(0.5f), smoothing: 0.5f);

        decoder.Decode([0f]);
        decoder.Decode([10f]);

        Assert.Equal((0.5f * 0.5f) + (0.5f * (float)(1 / (1 + Math.Exp(-10)))), decoder.Scores[0], Tolerance);
    }

    [Fact]
    public void Decode_NoCap_ActiveInDescendingScoreOrder()
    {
        var decoder = Decoder(OutputKind.Probabilities, Labels(0.5f, 0.5f, 0.5f, 0.5f, 0.5f));

        decoder.Decode([0.6f, 0.9f, 0.1f, 0.95f, 0.7f]);

        Assert.Equal([3, 1, 4, 0], decoder.Active.ToArray());
    }

    [Fact]
    public void Decode_TopK_KeepsHighestScoresInDescendingOrder()
    {
        var decoder = Decoder(OutputKind.Probabilities, Labels(0.5f, 0.5f, 0.5f, 0.5f, 0.5f), topK: 2);

        decoder.Decode([0.9f, 0.6f, 0.95f, 0.7f, 0.1f]);

        Assert.Equal([2, 0], decoder.Active.ToArray());
        Assert.Equal(2, decoder.ActiveCount);
        Assert.True(decoder.IsActive(2));
        Assert.True(decoder.IsActive(0));
        Assert.False(decoder.IsActive(1));
        Assert.False(decoder.IsActive(3));
        Assert.Equal([0, 2], decoder.TurnedOn.ToArray());
    }

    [Fact]
    public void Decode_TopKNotReached_KeepsAllActive()
    {
        var decoder = Decoder(OutputKind.Probabilities, Labels(0.5f, 0.5f, 0.5f), topK: 5);

        decoder.Decode([0.9f, 0.6f, 0.1f]);

        Assert.Equal([0, 1], decoder.Active.ToArray());
    }

    [Fact]
    public void Decode_LabelDisplacedByTopK_IsReportedTurnedOff()
    {
        var decoder = Decoder(OutputKind.Probabilities, Labels(0.5f, 0.5f), topK: 1);

        decoder.Decode([0.6f, 0.1f]);
        decoder.Decode([0.6f, 0.9f]);

        Assert.Equal([1], decoder.Active.ToArray());
        Assert.Equal([1], decoder.TurnedOn.ToArray());
        Assert.Equal([0], decoder.TurnedOff.ToArray());
    }

    [Fact]
    public void Reset_ActiveLabel_ForgetsStateAndSmoothingHistory()
    {
        var decoder = Decoder(OutputKind.Probabilities, [new LabelThreshold("a", 0.6f, 0.3f)], smoothing: 0.5f);
        decoder.Decode([0.9f]);
        Assert.True(decoder.IsActive(0));

        decoder.Reset();

        Assert.Equal(0, decoder.ActiveCount);
        Assert.False(decoder.IsActive(0));
        Assert.Empty(decoder.TurnedOn.ToArray());
        Assert.Empty(decoder.TurnedOff.ToArray());

        decoder.Decode([0.5f]); // between off and on: stays off after a reset; no smoothing with the old 0.9
        Assert.Equal(0.5f, decoder.Scores[0], Tolerance);
        Assert.False(decoder.IsActive(0));
        Assert.Empty(decoder.TurnedOff.ToArray());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(0)]
    public void Decode_WrongOutputLength_Throws(int length)
    {
        var decoder = Decoder(OutputKind.Logits, Labels(0.5f, 0.5f, 0.5f));

        var exception = Assert.Throws<ArgumentException>(() => decoder.Decode(new float[length]));

        Assert.Contains("3 labels", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1f, 0)]
    [InlineData(1f, 0)]
    [InlineData(float.NaN, 0)]
    [InlineData(0f, -1)]
    public void Constructor_InvalidOptions_Throws(float smoothing, int topK)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new MultiLabelDecoder(Labels(0.5f), OutputKind.Logits, new DecoderOptions { Smoothing = smoothing, TopK = topK }));
    }

    [Fact]
    public void LabelCount_FourLabels_IsFour()
    {
        Assert.Equal(4, Decoder(OutputKind.Logits, Labels(0.5f, 0.5f, 0.5f, 0.5f)).LabelCount);
    }

    [Fact]
    public void SetThresholds_NextDecode_UsesTheNewOnAndOffThresholds()
    {
        var decoder = Decoder(OutputKind.Probabilities, [new LabelThreshold("l0", 0.5f, 0.4f), new LabelThreshold("l1", 0.5f, 0.4f)]);
        decoder.Decode([0.45f, 0.6f]); // l0 off, l1 on

        decoder.SetThresholds([new LabelThreshold("l0", 0.4f, 0.3f), new LabelThreshold("l1", 0.9f, 0.7f)]);
        decoder.Decode([0.45f, 0.6f]);

        Assert.Equal([0], decoder.Active.ToArray()); // l0 now over its on threshold; l1 under its new off threshold
        Assert.Equal([0], decoder.TurnedOn.ToArray());
        Assert.Equal([1], decoder.TurnedOff.ToArray());
        Assert.Equal(0.9f, decoder.Thresholds[1].On);
    }

    [Fact]
    public void SetThresholds_OtherLabelsOrCount_Refused()
    {
        var decoder = Decoder(OutputKind.Probabilities, Labels(0.5f, 0.5f));

        Assert.Throws<ArgumentException>(() => decoder.SetThresholds([new LabelThreshold("l0", 0.4f, 0.3f)]));
        var wrongOrder = Assert.Throws<ArgumentException>(() => decoder.SetThresholds([new LabelThreshold("l1", 0.4f, 0.3f), new LabelThreshold("l0", 0.4f, 0.3f)]));
        Assert.StartsWith("threshold 0 is for label 'l1', expected 'l0'", wrongOrder.Message, StringComparison.Ordinal);
        Assert.Equal(0.5f, decoder.Thresholds[0].On);
    }

    [Fact]
    public void ForgetHistory_NextDecode_NoSmoothingNoHysteresisButTransitionsAgainstTheLastPublished()
    {
        // l0 on at 0.5, off below 0.2; l1 on at 0.5.
        var decoder = Decoder(OutputKind.Probabilities, [new LabelThreshold("l0", 0.5f, 0.2f), new LabelThreshold("l1", 0.5f, 0.5f)], smoothing: 0.5f);
        decoder.Decode([0.9f, 0.9f]); // both on

        decoder.ForgetHistory();
        decoder.Decode([0.3f, 0.8f]);

        Assert.Equal(0.3f, decoder.Scores[0], Tolerance); // not averaged with 0.9
        Assert.Equal([1], decoder.Active.ToArray()); // l0 judged against its on threshold, not its off threshold
        Assert.Empty(decoder.TurnedOn.ToArray()); // l1 was on in the last label set: not reported again
        Assert.Equal([0], decoder.TurnedOff.ToArray());
    }

    private static MultiLabelDecoder Decoder(OutputKind kind, LabelThreshold[] labels, float smoothing = 0, int topK = 0) =>
        new(labels, kind, new DecoderOptions { Smoothing = smoothing, TopK = topK });

    private static LabelThreshold[] Labels(params float[] thresholds) =>
        [.. thresholds.Select((t, i) => new LabelThreshold($"l{i}", t, t))];
}
