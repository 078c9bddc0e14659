using Edge.Tools.Evaluation;
using Edge.Tools.Evaluation.Report;

namespace Edge.Tools.Tests.Evaluation;

public sealed class EvaluationReportTests
{
    [Fact]
    public void ErrorCounts_MissedAndWrongInTheSameImage_CountsThePair()
    {
        // Image 0: truth A, predicted B (A missed, B wrong). Image 1: truth B, predicted B. Image 2: truth A, predicted A and B.
        double[] probabilities = [0.1, 0.9, 0.2, 0.8, 0.7, 0.6];
        bool[] truth = [true, false, false, true, true, false];
        var scores = new ScoreMatrix(["A", "B"], probabilities, probabilities, truth, new bool[6]);

        var counts = EvaluationReport.ErrorCounts(scores, [0.5, 0.5]);

        Assert.Equal(1, counts[0, 1]);
        Assert.Equal(0, counts[1, 0]);
        Assert.Equal(0, counts[0, 0]);
        Assert.Equal(0, counts[1, 1]);
    }

    [Fact]
    public void ErrorCounts_IgnoredCells_AreNeverCounted()
    {
        double[] probabilities = [0.1, 0.9];
        var scores = new ScoreMatrix(["A", "B"], probabilities, probabilities, [true, false], [false, true]);

        var counts = EvaluationReport.ErrorCounts(scores, [0.5, 0.5]);

        Assert.Equal(0, counts[0, 1]);
    }
}
