using Edge.Tools.Evaluation;
using Edge.Tools.Evaluation.Datasets;
using Edge.Tools.Evaluation.Robustness;

namespace Edge.Tools.Tests.Evaluation.Robustness;

/// <summary>
/// Robustness results built from hand-written scores over two labels (threshold 0.5), so each family's metrics are
/// known exactly: <see cref="Perfect"/> gives mAP, OF1 and OR 100; <see cref="Reversed"/> gives mAP 50 and OF1, OR 0;
/// <see cref="NoPositives"/> leaves mAP undefined.
/// </summary>
internal static class SyntheticRobustness
{
    public static readonly string[] Labels = ["a", "b"];

    // Image 0 has label a, image 1 label b.
    private static readonly bool[] Truth = [true, false, false, true];

    public static ScoreMatrix Perfect => Scores([0.9, 0.2, 0.1, 0.8], Truth);

    public static ScoreMatrix Reversed => Scores([0.1, 0.8, 0.9, 0.2], Truth);

    public static ScoreMatrix NoPositives => Scores([0.1, 0.8, 0.9, 0.2], new bool[4]);

    public static RobustnessResult Result(params (string Name, string Kind, ScoreMatrix Scores)[] families)
    {
        var set = new RobustnessSet(
            "/sets/synthetic",
            "val",
            7,
            2,
            32,
            [.. families.Select(f => new RobustnessFamily(f.Name, f.Name, f.Kind, $"{f.Name} scenes", "{}", Dataset(f.Name, f.Scores)))]);
        var evaluations = families
            .Select(f => new EvaluationResult(f.Scores, MultiLabelMetrics.Compute(f.Scores, [0.5, 0.5]), new Dictionary<string, MetricsReport>()))
            .ToArray();
        return RobustnessResult.From(set, evaluations);
    }

    private static ScoreMatrix Scores(double[] probabilities, bool[] truth) => new(Labels, probabilities, probabilities, truth, new bool[truth.Length]);

    private static LabeledDataset Dataset(string name, ScoreMatrix scores) => new(
        $"/sets/synthetic/{name}/labels.csv",
        "csv",
        [.. Enumerable.Range(0, scores.ImageCount).Select(i => new LabeledImage($"/sets/synthetic/{name}/{i:D6}.png", [], [], null))]);
}
