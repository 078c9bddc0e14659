using Edge.Tools.Evaluation;
using Edge.Tools.Evaluation.Rescoring;

namespace Edge.Tools.Tests.Evaluation.Rescoring;

/// <summary>
/// Choosing α on validation scores. The scenes: 10 with a bag and a dress, 20 with a dress alone, 10 with neither. The
/// model sees bags perfectly (logit ±4) but is unsure of a dress next to a bag (logit 0, below the 0.5 of the 10
/// dress-less scenes); a dress alone it sees (logit 2). A bag implies a dress (P(dress | bag) = 1), so the implying
/// graph lets the bag's logit lift the dress: z'(dress) = z(dress) + 0.2·α·z(bag), which ranks every dress above the
/// scenes without one from α = 0.35 on (0.07 · 4 = 0.28 > 0.5 − 0.28).
/// </summary>
public sealed class RescoringFitterTests
{
    private const int Bag = 0, Dress = 1;
    private static readonly string[] Labels = ["bag", "dress"];

    [Fact]
    public void Fit_ImpliedLabelRankedBelowNegatives_ChoosesTheSmallestAlphaThatRanksItRight()
    {
        var (scores, graph) = Scenes();

        var fit = RescoringFitter.Fit(scores, [graph], [0.5, 0.5]);

        Assert.True(fit.Helps);
        Assert.Equal(0.35, fit.Alpha);
        Assert.Equal(LabelGraphEdges.Implying, fit.Graph.Direction);
        // Before: the 20 lone dresses first, then the 10 empty scenes, then the 10 dresses next to a bag.
        var dressAp = (20 + Enumerable.Range(1, 10).Sum(k => (20.0 + k) / (30 + k))) / 30;
        Assert.Equal((100 + (100 * dressAp)) / 2, fit.Before.MeanAp, 9);
        Assert.Equal(100, fit.After.MeanAp, 9);
        Assert.Equal([0, 0, 0.07, 0], fit.Matrix);
    }

    [Fact]
    public void Fit_Bias_KeepsEachLabelsMeanLogit()
    {
        var (scores, graph) = Scenes();

        var fit = RescoringFitter.Fit(scores, [graph], [0.5, 0.5]);

        // Mean bag logit over the 40 scenes: (10·4 − 30·4) / 40 = −2, so b(dress) = −0.07 · −2 = 0.14.
        Assert.Equal([0, 0.14], fit.Bias);
        for (var label = 0; label < Labels.Length; label++)
        {
            Assert.Equal(Mean(scores.RankScores, label), Mean(fit.Rescored.RankScores, label), 1e-5);
        }
    }

    [Fact]
    public void Fit_AccompanyingGraphOnly_HasNoEdgeIntoTheDressAndChoosesNone()
    {
        // P(bag | dress) = 1/3 < 0.4: the accompanying graph has no edge, so no α changes anything.
        var (scores, _) = Scenes();
        var graph = LabelGraph.Build(Cooccurrence(), LabelGraphEdges.Accompanying);

        var fit = RescoringFitter.Fit(scores, [graph], [0.5, 0.5]);

        Assert.False(fit.Helps);
        Assert.Equal(0, fit.Alpha);
        Assert.Same(scores, fit.Rescored);
        Assert.Equal(fit.Before.MeanAp, fit.After.MeanAp);
        Assert.Equal(RescoringFitter.Alphas.Count, fit.Candidates.Count);
    }

    [Fact]
    public void Fit_GainBelowTheMinimum_ChoosesNone()
    {
        // 2000 scenes of a dress alone dilute the misranked dresses: the best α gains less than 0.1 mAP point.
        var (scores, graph) = Scenes(dressAloneScenes: 2000);

        var fit = RescoringFitter.Fit(scores, [graph], [0.5, 0.5]);

        var best = fit.Candidates.Max(candidate => candidate.MeanAp);
        Assert.InRange(best - fit.Before.MeanAp, 1e-6, RescoringFitter.MinimumGain);
        Assert.False(fit.Helps);
    }

    [Fact]
    public void Fit_BothDirections_CandidatesCoverEveryAlphaOfEach()
    {
        var (scores, implying) = Scenes();
        var accompanying = LabelGraph.Build(Cooccurrence(), LabelGraphEdges.Accompanying);

        var fit = RescoringFitter.Fit(scores, [accompanying, implying], [0.5, 0.5]);

        Assert.Equal(2 * RescoringFitter.Alphas.Count, fit.Candidates.Count);
        Assert.Equal(LabelGraphEdges.Implying, fit.Graph.Direction);
        Assert.Equal(0.35, fit.Alpha);
    }

    private static (ScoreMatrix Scores, LabelGraph Implying) Scenes(int dressAloneScenes = 20)
    {
        var rank = new List<double>();
        var truth = new List<bool>();
        void Scene(double bag, bool hasBag, double dress, bool hasDress)
        {
            rank.AddRange([bag, dress]);
            truth.AddRange([hasBag, hasDress]);
        }

        for (var i = 0; i < 10; i++)
        {
            Scene(4, true, 0, true);
        }

        for (var i = 0; i < dressAloneScenes; i++)
        {
            Scene(-4, false, 2, true);
        }

        for (var i = 0; i < 10; i++)
        {
            Scene(-4, false, 0.5, false);
        }

        var probabilities = rank.Select(logit => 1 / (1 + Math.Exp(-logit))).ToArray();
        var scores = new ScoreMatrix(Labels, [.. rank], probabilities, [.. truth], new bool[truth.Count]);
        return (scores, LabelGraph.Build(Cooccurrence(), LabelGraphEdges.Implying));
    }

    /// <summary>Training label sets in the scenes' proportions: 10 {bag, dress}, 20 {dress}, 10 {}.</summary>
    private static LabelCooccurrence Cooccurrence()
    {
        var sets = new List<IReadOnlyList<int>>();
        sets.AddRange(Enumerable.Repeat<IReadOnlyList<int>>([Bag, Dress], 10));
        sets.AddRange(Enumerable.Repeat<IReadOnlyList<int>>([Dress], 20));
        sets.AddRange(Enumerable.Repeat<IReadOnlyList<int>>([], 10));
        return LabelCooccurrence.Count(Labels, sets);
    }

    private static double Mean(double[] values, int label) =>
        Enumerable.Range(0, values.Length / Labels.Length).Average(image => values[(image * Labels.Length) + label]);
}
