using Edge.Tools.Evaluation;

namespace Edge.Tools.Tests.Evaluation;

public sealed class ThresholdTunerTests
{
    [Fact]
    public void Tune_ManyPositivesSeparatedAtSeventy_PicksAThresholdBetweenTheClasses()
    {
        // Label 0: 100 positives scored 0.8, 100 negatives scored 0.6 -> any threshold in (0.6, 0.8] is perfect.
        var scores = Matrix(200, image => image < 100 ? (0.8, true) : (0.6, false));

        var tuned = ThresholdTuner.Tune(scores, [0.5]);

        Assert.InRange(tuned[0].New, 0.61, 0.80);
        Assert.Equal(100, tuned[0].NewF1, 1e-9);
        Assert.Equal(100.0 * 2 * 100 / 300, tuned[0].OldF1, 1e-9);
        Assert.Equal(100, tuned[0].Positives);
    }

    [Fact]
    public void Tune_FewPositives_ShrinksTowardTheGlobalThreshold()
    {
        // Label 0 (many positives) is best cut near 0.3; label 1 has 2 positives at 0.9 (own optimum 0.61..0.9).
        var labels = new[] { "many", "few" };
        const int images = 200;
        var probabilities = new double[images * 2];
        var truth = new bool[images * 2];
        for (var image = 0; image < images; image++)
        {
            var positive = image % 2 == 0;
            probabilities[image * 2] = positive ? 0.35 : 0.25;
            truth[image * 2] = positive;
            probabilities[(image * 2) + 1] = image < 2 ? 0.9 : 0.6;
            truth[(image * 2) + 1] = image < 2;
        }

        var scores = new ScoreMatrix(labels, probabilities, probabilities, truth, new bool[images * 2]);

        var tuned = ThresholdTuner.Tune(scores, [0.5, 0.5]);

        var few = tuned[1];
        Assert.True(few.New < 0.61, $"threshold {few.New} should be pulled below the label's own optimum toward the global one");
        Assert.InRange(tuned[0].New, 0.26, 0.40);
    }

    [Fact]
    public void Tune_LabelWithoutPositives_GetsTheGlobalThreshold()
    {
        var labels = new[] { "a", "none" };
        var probabilities = new double[] { 0.9, 0.2, 0.1, 0.3, 0.8, 0.1, 0.2, 0.4 };
        var truth = new bool[] { true, false, false, false, true, false, false, false };
        var scores = new ScoreMatrix(labels, probabilities, probabilities, truth, new bool[8]);

        var tuned = ThresholdTuner.Tune(scores, [0.5, 0.5]);

        Assert.Equal(0, tuned[1].Positives);
        Assert.InRange(tuned[1].New, 0.05, 0.95);
    }

    private static ScoreMatrix Matrix(int images, Func<int, (double Probability, bool Truth)> cell)
    {
        var probabilities = new double[images];
        var truth = new bool[images];
        for (var image = 0; image < images; image++)
        {
            (probabilities[image], truth[image]) = cell(image);
        }

        return new ScoreMatrix(["label"], probabilities, probabilities, truth, new bool[images]);
    }
}
