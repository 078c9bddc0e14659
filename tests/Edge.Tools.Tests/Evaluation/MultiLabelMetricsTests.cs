using Edge.Tools.Evaluation;

namespace Edge.Tools.Tests.Evaluation;

/// <summary>
/// A known-answer case computed by hand: 4 images, labels A B C D, thresholds 0.5, with a score tie (A: images 1
/// and 2 at 0.6), a label without positives (D), an image with no truth and no prediction (3), and an image where
/// the top-3 cap removes a prediction (image 0 predicts four labels).
/// </summary>
public sealed class MultiLabelMetricsTests
{
    private const double Tolerance = 1e-6;
    private static readonly string[] Labels = ["A", "B", "C", "D"];
    private static readonly double[] Thresholds = [0.5, 0.5, 0.5, 0.5];

    private static readonly double[] Scores =
    [
        0.9, 0.55, 0.6, 0.95, // truth A, C
        0.6, 0.6, 0.1, 0.1,   // truth B
        0.6, 0.4, 0.3, 0.1,   // truth A
        0.1, 0.3, 0.2, 0.1,   // truth none
    ];

    private static readonly bool[] Truth =
    [
        true, false, true, false,
        false, true, false, false,
        true, false, false, false,
        false, false, false, false,
    ];

    [Fact]
    public void Compute_KnownAnswer_MatchesHandComputedValues()
    {
        var report = MultiLabelMetrics.Compute(Matrix(new bool[16]), Thresholds);

        Assert.Equal(4, report.Images);
        Assert.Equal(100 * ((5.0 / 6) + 1 + 1) / 3, report.MeanAp, Tolerance);
        Assert.Equal(100 * 13.0 / 18, report.CP, Tolerance);
        Assert.Equal(100, report.CR, Tolerance);
        Assert.Equal(100 * 26.0 / 31, report.CF1, Tolerance);
        Assert.Equal(100 * 4.0 / 7, report.OP, Tolerance);
        Assert.Equal(100, report.OR, Tolerance);
        Assert.Equal(100 * 8.0 / 11, report.OF1, Tolerance);
        Assert.Equal(100 * 16.0 / 17, report.Top3.CF1, Tolerance);
        Assert.Equal(100 * 0.8, report.Top3.OF1, Tolerance);
        Assert.Equal(100 * 3.0 / 16, report.HammingLoss, Tolerance);
        Assert.Equal(50, report.SubsetAccuracy, Tolerance);
        Assert.Equal(100 * 5.0 / 6, report.ExampleF1, Tolerance);
        Assert.Equal(["D"], report.SkippedLabels);
    }

    [Fact]
    public void Compute_KnownAnswer_PerLabelValues()
    {
        var report = MultiLabelMetrics.Compute(Matrix(new bool[16]), Thresholds);

        var a = report.PerLabel[0];
        Assert.Equal(100 * 5.0 / 6, a.Ap, Tolerance);
        Assert.Equal(100 * 2.0 / 3, a.Precision, Tolerance);
        Assert.Equal(100, a.Recall, Tolerance);
        Assert.Equal(80, a.F1, Tolerance);
        Assert.Equal(2, a.Support);
        Assert.Equal(50, report.PerLabel[1].Precision, Tolerance);
        Assert.True(double.IsNaN(report.PerLabel[3].Ap));
        Assert.Equal(0, report.PerLabel[3].Support);
    }

    [Fact]
    public void Compute_TiedScores_KeepDatasetOrder()
    {
        // Swapping which tied image is the positive changes A's AP: ties are not broken in the positive's favour.
        var truth = (bool[])Truth.Clone();
        truth[4] = true;  // image 1 positive for A ...
        truth[8] = false; // ... image 2 not
        var report = MultiLabelMetrics.Compute(new ScoreMatrix(Labels, Scores, Scores, truth, new bool[16]), Thresholds);

        Assert.Equal(100.0, report.PerLabel[0].Ap, Tolerance);
    }

    [Fact]
    public void Compute_IgnoredCells_TakeNoPart()
    {
        var ignored = new bool[16];
        ignored[8] = true; // image 2, label A

        var report = MultiLabelMetrics.Compute(Matrix(ignored), Thresholds);

        Assert.Equal(100, report.PerLabel[0].Ap, Tolerance);
        Assert.Equal(1, report.PerLabel[0].Support);
        Assert.Equal(100 * 3.0 / 15, report.HammingLoss, Tolerance);
    }

    [Fact]
    public void Compute_ImageSubset_UsesOnlyThoseImages()
    {
        var report = MultiLabelMetrics.Compute(Matrix(new bool[16]), Thresholds, [2, 3]);

        Assert.Equal(2, report.Images);
        Assert.Equal(100, report.SubsetAccuracy, Tolerance);
        Assert.Equal(["B", "C", "D"], report.SkippedLabels);
    }

    [Fact]
    public void Compute_NothingPredicted_PrecisionIsZeroNotNaN()
    {
        var report = MultiLabelMetrics.Compute(Matrix(new bool[16]), [0.99, 0.99, 0.99, 0.99]);

        Assert.Equal(0, report.OP, Tolerance);
        Assert.Equal(0, report.OF1, Tolerance);
        Assert.Equal(0, report.CP, Tolerance);
        Assert.Equal(25, report.ExampleF1, Tolerance);
    }

    [Fact]
    public void Compute_WrongThresholdCount_Throws()
    {
        Assert.Throws<ArgumentException>(() => MultiLabelMetrics.Compute(Matrix(new bool[16]), [0.5]));
    }

    [Fact]
    public void Compute_Top3CapDropsATruePositive_Top3RecallCountsOnlyTop3Hits()
    {
        // Labels A..E, thresholds 0.5. Image 0 has four positives above threshold: the cap keeps A B C and drops D.
        // Image 1 predicts B D E (D wrong), image 2 predicts only A (C missed; E and D are in its top 3 but below
        // threshold), image 3 predicts E with no truth.
        string[] labels = ["A", "B", "C", "D", "E"];
        double[] scores =
        [
            0.9, 0.8, 0.7, 0.6, 0.1, // truth A B C D
            0.2, 0.9, 0.1, 0.7, 0.6, // truth B E
            0.6, 0.1, 0.2, 0.3, 0.4, // truth C
            0.1, 0.1, 0.1, 0.1, 0.9, // truth none
        ];
        bool[] truth =
        [
            true, true, true, true, false,
            false, true, false, false, true,
            false, false, true, false, false,
            false, false, false, false, false,
        ];

        var report = MultiLabelMetrics.Compute(new ScoreMatrix(labels, scores, scores, truth, new bool[20]), [0.5, 0.5, 0.5, 0.5, 0.5]);

        // Top-3 counts (Nc / Np / Ng): A 1/2/1, B 2/2/2, C 1/1/2, D 0/1/1, E 1/2/1; sums 5 / 8 / 7.
        const double op = 5.0 / 8, or = 5.0 / 7;
        const double cp = (0.5 + 1 + 1 + 0 + 0.5) / 5, cr = (1 + 1 + 0.5 + 0 + 1) / 5;
        Assert.Equal(100 * op, report.Top3.OP, Tolerance);
        Assert.Equal(100 * or, report.Top3.OR, Tolerance);
        Assert.Equal(100 * 2 * op * or / (op + or), report.Top3.OF1, Tolerance);
        Assert.Equal(100 * cp, report.Top3.CP, Tolerance);
        Assert.Equal(100 * cr, report.Top3.CR, Tolerance);
        Assert.Equal(100 * 2 * cp * cr / (cp + cr), report.Top3.CF1, Tolerance);
        Assert.Equal(100 * 6.0 / 7, report.OR, Tolerance); // uncapped recall keeps D's hit in image 0
    }

    private static ScoreMatrix Matrix(bool[] ignored) => new(Labels, Scores, Scores, Truth, ignored);
}
