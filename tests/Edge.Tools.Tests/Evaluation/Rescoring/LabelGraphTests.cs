using Edge.Runtime.Decoding;
using Edge.Tools.Evaluation.Datasets;
using Edge.Tools.Evaluation.Rescoring;
using Edge.Tools.Tests.Evaluation.Datasets;

namespace Edge.Tools.Tests.Evaluation.Rescoring;

/// <summary>
/// Known answers on three labels, from a labels.csv of six images: {t-shirt, trouser}, {t-shirt, trouser, bag},
/// {trouser}, {trouser, bag}, {bag}, {}. So N(t-shirt) = 2, N(trouser) = 4, N(bag) = 3, N(t-shirt, trouser) = 2,
/// N(t-shirt, bag) = 1, N(trouser, bag) = 2.
/// </summary>
public sealed class LabelGraphTests : IDisposable
{
    private const int TShirt = 0, Trouser = 1, Bag = 2;
    private const double Tolerance = 1e-12;
    private static readonly string[] Labels = ["t-shirt", "trouser", "bag"];

    private readonly TemporaryDataset folder = new();

    [Fact]
    public void Count_TinyLabelsCsv_GivesExactConditionalProbabilities()
    {
        var cooccurrence = Cooccurrence();

        Assert.Equal(6, cooccurrence.Images);
        Assert.Equal([2L, 4L, 3L], new[] { cooccurrence.Occurrences(TShirt), cooccurrence.Occurrences(Trouser), cooccurrence.Occurrences(Bag) });
        Assert.Equal(1.0, cooccurrence.Conditional(Trouser, given: TShirt), Tolerance);
        Assert.Equal(0.5, cooccurrence.Conditional(Bag, given: TShirt), Tolerance);
        Assert.Equal(0.5, cooccurrence.Conditional(TShirt, given: Trouser), Tolerance);
        Assert.Equal(0.5, cooccurrence.Conditional(Bag, given: Trouser), Tolerance);
        Assert.Equal(1.0 / 3, cooccurrence.Conditional(TShirt, given: Bag), Tolerance);
        Assert.Equal(2.0 / 3, cooccurrence.Conditional(Trouser, given: Bag), Tolerance);
        Assert.Equal(1.0, cooccurrence.Conditional(Bag, given: Bag), Tolerance);
    }

    [Fact]
    public void Build_AccompanyingAtTau04_BinarisesPOfJGivenI()
    {
        var graph = LabelGraph.Build(Cooccurrence(), LabelGraphEdges.Accompanying, tau: 0.4, p: 0.2);

        // P(j|i) >= 0.4 everywhere but P(t-shirt | bag) = 1/3.
        Assert.Equal(5, graph.EdgeCount);
        Assert.True(graph.HasEdge(TShirt, Trouser) && graph.HasEdge(TShirt, Bag) && graph.HasEdge(Trouser, TShirt) && graph.HasEdge(Trouser, Bag) && graph.HasEdge(Bag, Trouser));
        Assert.False(graph.HasEdge(Bag, TShirt));
    }

    [Fact]
    public void Build_AccompanyingReweighted_RowsShareP()
    {
        var graph = LabelGraph.Build(Cooccurrence(), LabelGraphEdges.Accompanying, tau: 0.4, p: 0.2);

        double[][] expected =
        [
            [0.8, 0.1, 0.1],
            [0.1, 0.8, 0.1],
            [0.0, 0.2, 0.8],
        ];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                Assert.Equal(expected[i][j], graph.Weight(i, j), Tolerance);
            }
        }
    }

    [Fact]
    public void Build_ImplyingAtTau04_BinarisesPOfIGivenJ()
    {
        var graph = LabelGraph.Build(Cooccurrence(), LabelGraphEdges.Implying, tau: 0.4, p: 0.2);

        // Row t-shirt: P(t-shirt | trouser) = 0.5 in, P(t-shirt | bag) = 1/3 out; rows trouser and bag: both in.
        Assert.Equal(5, graph.EdgeCount);
        Assert.False(graph.HasEdge(TShirt, Bag));
        Assert.Equal(0.2, graph.Weight(TShirt, Trouser), Tolerance);
        Assert.Equal(0.8, graph.Weight(TShirt, TShirt), Tolerance);
        Assert.Equal(0.1, graph.Weight(Bag, TShirt), Tolerance);
        Assert.Equal(0.1, graph.Weight(Bag, Trouser), Tolerance);
    }

    [Fact]
    public void Build_TauOne_OnlyTheCertainPairIsAnEdgeAndALabelWithoutEdgesKeepsOne()
    {
        var graph = LabelGraph.Build(Cooccurrence(), LabelGraphEdges.Accompanying, tau: 1.0, p: 0.2);

        // Only P(trouser | t-shirt) = 1 reaches tau 1.
        Assert.Equal(1, graph.EdgeCount);
        Assert.Equal(1.0, graph.Weight(Bag, Bag), Tolerance);
        Assert.Equal(0.8, graph.Weight(TShirt, TShirt), Tolerance);
        Assert.Equal(0.2, graph.Weight(TShirt, Trouser), Tolerance);
    }

    [Fact]
    public void Correction_AlphaHalf_IsAlphaTimesOffDiagonalWeights()
    {
        var graph = LabelGraph.Build(Cooccurrence(), LabelGraphEdges.Accompanying, tau: 0.4, p: 0.2);

        var matrix = graph.Correction(0.5);

        Assert.Equal([0, 0.05, 0.05, 0.05, 0, 0.05, 0, 0.1, 0], matrix.Select(value => Math.Round(value, 12)));
    }

    [Fact]
    public void Correction_AppliedByTheRuntime_GivesExactCorrectedLogits()
    {
        var graph = LabelGraph.Build(Cooccurrence(), LabelGraphEdges.Accompanying, tau: 0.4, p: 0.2);
        var rescoring = new LogitRescoring([.. graph.Correction(0.5).Select(value => (float)value)], [0.1f, -0.2f, 0f]);
        var corrected = new float[3];

        rescoring.Apply([-1f, 3f, 2f], corrected);

        // t-shirt: -1 + 0.05*3 + 0.05*2 + 0.1; trouser: 3 + 0.05*(-1) + 0.05*2 - 0.2; bag: 2 + 0.1*3.
        Assert.Equal(-0.65f, corrected[TShirt], 1e-6f);
        Assert.Equal(2.85f, corrected[Trouser], 1e-6f);
        Assert.Equal(2.3f, corrected[Bag], 1e-6f);
    }

    [Theory]
    [InlineData(0.0, 0.2)]
    [InlineData(1.5, 0.2)]
    [InlineData(0.4, 0.0)]
    [InlineData(0.4, 1.0)]
    public void Build_TauOrPOutOfRange_Throws(double tau, double p)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelGraph.Build(Cooccurrence(), LabelGraphEdges.Accompanying, tau, p));
    }

    [Fact]
    public void Read_LabelTheModelDoesNotKnow_NamesItAndTheLine()
    {
        var csv = folder.WriteText("train.csv", "image,labels\na.png,trouser\nb.png,trouser;umbrella\n");

        var exception = Assert.Throws<DatasetException>(() => TrainingLabelSets.Read(csv, Labels));

        Assert.Contains($"{csv}:3: label 'umbrella'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NoLabelsColumn_NamesTheHeader()
    {
        var csv = folder.WriteText("train.csv", "image,tags\na.png,trouser\n");

        var exception = Assert.Throws<DatasetException>(() => TrainingLabelSets.Read(csv, Labels));

        Assert.Contains("expected a 'labels' column", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderOnly_SaysThereAreNoRows()
    {
        var csv = folder.WriteText("train.csv", "image,labels\n");

        var exception = Assert.Throws<DatasetException>(() => TrainingLabelSets.Read(csv, Labels));

        Assert.Contains("no rows", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_NamesIt()
    {
        var csv = folder.PathOf("absent.csv");

        var exception = Assert.Throws<DatasetException>(() => TrainingLabelSets.Read(csv, Labels));

        Assert.Contains($"'{csv}' do not exist", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RowWithAnExtraField_NamesTheLine()
    {
        var csv = folder.WriteText("train.csv", "image,labels\na.png,trouser,bag\n");

        var exception = Assert.Throws<DatasetException>(() => TrainingLabelSets.Read(csv, Labels));

        Assert.Contains($"{csv}:2: 3 field(s)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OnlyTheLabelsColumn_ImagesNeedNotExistAndRepeatsCountOnce()
    {
        var csv = folder.WriteText("train.csv", "labels,slice\nbag;bag;trouser,x\n,y\n");

        var sets = TrainingLabelSets.Read(csv, Labels);

        Assert.Equal([Bag, Trouser], sets[0]);
        Assert.Empty(sets[1]);
    }

    public void Dispose() => folder.Dispose();

    private LabelCooccurrence Cooccurrence()
    {
        var csv = folder.WriteText(
            "labels.csv",
            "image,labels\n1.png,t-shirt;trouser\n2.png,t-shirt;trouser;bag\n3.png,trouser\n4.png,trouser;bag\n5.png,bag\n6.png,\n");
        return LabelCooccurrence.Count(Labels, TrainingLabelSets.Read(csv, Labels));
    }
}
