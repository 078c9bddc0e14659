using Edge.Tools.Evaluation.Robustness;
using static Edge.Tools.Tests.Evaluation.Robustness.SyntheticRobustness;

namespace Edge.Tools.Tests.Evaluation.Robustness;

/// <summary>Gaps, shifted means, the worst family and the pooled scores, on families whose metrics are known exactly.</summary>
public sealed class RobustnessResultTests
{
    [Fact]
    public void From_FamilyBelowClean_GapIsCleanMinusFamilyAndPositive()
    {
        var result = Result(("clean", "clean", Perfect), ("tint", "appearance", Reversed));

        Assert.Equal((100.0, 100.0, 100.0), (result.Families[0].Metrics.MeanAp, result.Families[0].Metrics.OF1, result.Families[0].Metrics.OR));
        Assert.Equal((50.0, 0.0, 0.0), (result.Families[1].Metrics.MeanAp, result.Families[1].Metrics.OF1, result.Families[1].Metrics.OR));
        Assert.Equal(new MetricGap(50, 100, 100), result.Families[1].Gap);
        Assert.Equal(new MetricGap(0, 0, 0), result.Families[0].Gap);
    }

    [Fact]
    public void From_FamilyAboveClean_GapIsNegative()
    {
        var result = Result(("clean", "clean", Reversed), ("tint", "appearance", Perfect));

        Assert.Equal(new MetricGap(-50, -100, -100), result.Families[1].Gap);
    }

    [Fact]
    public void Summary_ShiftedMean_AveragesAppearanceGeometryAndMixOnly()
    {
        var result = Result(
            ("clean", "clean", Perfect),
            ("tint", "appearance", Reversed),
            ("scale-small", "geometry", Perfect),
            ("mix", "mix", Reversed),
            ("out-of-context", "context", Reversed));

        var summary = result.Summary;

        Assert.Equal(3, summary.ShiftedFamilies);
        Assert.Equal((50 + 100 + 50) / 3.0, summary.ShiftedMeanAp, 10);
        Assert.Equal(100 / 3.0, summary.ShiftedOF1, 10);
        Assert.Equal(100 / 3.0, summary.ShiftedOR, 10);
        Assert.Equal(100 - ((50 + 100 + 50) / 3.0), summary.ShiftedGap.MeanAp, 10);
        Assert.Equal(100 - (100 / 3.0), summary.ShiftedGap.OF1, 10);
        Assert.Equal(100.0, summary.Clean.MeanAp);
    }

    [Fact]
    public void Summary_WorstFamily_IsTheLowestMapAmongNonCleanFamiliesContextIncluded()
    {
        var result = Result(("clean", "clean", Perfect), ("tint", "appearance", Perfect), ("out-of-context", "context", Reversed));

        Assert.Equal("out-of-context", result.Summary.Worst?.Family.Name);
    }

    [Fact]
    public void Summary_OnlyClean_HasNoShiftedMeanAndNoWorstFamily()
    {
        var summary = Result(("clean", "clean", Perfect)).Summary;

        Assert.Equal(0, summary.ShiftedFamilies);
        Assert.True(double.IsNaN(summary.ShiftedMeanAp));
        Assert.Null(summary.Worst);
    }

    [Fact]
    public void Summary_FamilyWithoutPositives_IsNeverTheWorstAndMakesTheMeanUndefined()
    {
        var result = Result(("clean", "clean", Perfect), ("tint", "appearance", Reversed), ("noise", "appearance", NoPositives));

        Assert.True(double.IsNaN(result.Families[2].Gap.MeanAp));
        Assert.True(double.IsNaN(result.Summary.ShiftedMeanAp));
        Assert.Equal("tint", result.Summary.Worst?.Family.Name);
    }

    [Fact]
    public void PooledScores_AllFamilies_ConcatenatesThemInOrder()
    {
        var result = Result(("clean", "clean", Perfect), ("tint", "appearance", Reversed));

        var pooled = result.PooledScores();

        Assert.Equal(4, pooled.ImageCount);
        Assert.Equal(Labels, pooled.Labels);
        Assert.Equal(Perfect.Probabilities.Concat(Reversed.Probabilities), pooled.Probabilities);
        Assert.Equal(Perfect.RankScores.Concat(Reversed.RankScores), pooled.RankScores);
        Assert.Equal(Perfect.Truth.Concat(Reversed.Truth), pooled.Truth);
        Assert.Equal(8, pooled.Ignored.Length);
    }
}
