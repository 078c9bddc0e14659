using Edge.Camera.Sources.OpenCv;
using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Runtime.Inference;
using Edge.Tools.Evaluation.Datasets;

namespace Edge.Tools.Evaluation;

/// <summary>The outcome of running a model over a labelled dataset.</summary>
public sealed record EvaluationResult(ScoreMatrix Scores, MetricsReport Overall, IReadOnlyDictionary<string, MetricsReport> Slices);

/// <summary>
/// Runs a bundle over every image of a dataset through the runtime's own preprocessing and session, then scores
/// it. Dataset labels are matched to the model's labels by name.
/// </summary>
public static class Evaluator
{
    /// <param name="applyRescoring">Correct the logits with the bundle's <c>rescoring</c> block, as <c>edge run</c> does
    /// (false: the model's own logits, for an A/B comparison or to fit a new block).</param>
    public static EvaluationResult Run(ModelBundle bundle, ModelSession session, LabeledDataset dataset, IProgress<int>? progress = null, CancellationToken cancellationToken = default, int maxMegapixels = ImageFile.DefaultMaxMegapixels, bool applyRescoring = true)
    {
        CheckLabels(bundle, dataset);
        var labels = bundle.Labels.Select(label => label.Name).ToList();
        var indexOf = labels.Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index, StringComparer.Ordinal);
        var count = dataset.Images.Count;
        var labelCount = labels.Count;
        var rank = new double[count * labelCount];
        var probabilities = new double[count * labelCount];
        var truth = new bool[count * labelCount];
        var ignored = new bool[count * labelCount];
        var scorer = new ImageScorer(bundle, session, maxMegapixels);
        var rescoring = applyRescoring ? bundle.Rescoring : null;
        var corrected = new float[labelCount];
        for (var image = 0; image < count; image++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var item = dataset.Images[image];
            scorer.Score(item.ImagePath);
            var outputs = session.OutputOf(0);
            if (rescoring is not null)
            {
                rescoring.Apply(outputs, corrected);
                outputs = corrected;
            }

            var row = image * labelCount;
            for (var label = 0; label < labelCount; label++)
            {
                double raw = outputs[label];
                rank[row + label] = raw;
                probabilities[row + label] = bundle.OutputKind == OutputKind.Logits ? Sigmoid(raw) : raw;
            }

            foreach (var name in item.Labels)
            {
                truth[row + indexOf[name]] = true;
            }

            foreach (var name in item.IgnoredLabels)
            {
                ignored[row + indexOf[name]] = true;
            }

            progress?.Report(image + 1);
        }

        return Summarise(new ScoreMatrix(labels, rank, probabilities, truth, ignored), bundle, dataset);
    }

    /// <summary>The metrics of <paramref name="scores"/> at the bundle's thresholds, over all images and per slice of <paramref name="dataset"/>.</summary>
    internal static EvaluationResult Summarise(ScoreMatrix scores, ModelBundle bundle, LabeledDataset dataset)
    {
        var thresholds = bundle.Labels.Select(label => (double)label.On).ToArray();
        var slices = dataset.Images
            .Select((item, index) => (item.Slice, index))
            .Where(p => p.Slice is not null)
            .GroupBy(p => p.Slice!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => MultiLabelMetrics.Compute(scores, thresholds, g.Select(p => p.index).ToArray()), StringComparer.Ordinal);
        return new EvaluationResult(scores, MultiLabelMetrics.Compute(scores, thresholds), slices);
    }

    /// <summary>Fails, naming them, when <paramref name="dataset"/> has labels the model does not know.</summary>
    /// <exception cref="DatasetException">A dataset label is not one of the bundle's labels.</exception>
    public static void CheckLabels(ModelBundle bundle, LabeledDataset dataset)
    {
        var known = bundle.Labels.Select(label => label.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = dataset.LabelNames.Where(name => !known.Contains(name)).ToList();
        if (unknown.Count > 0)
        {
            throw new DatasetException(
                $"dataset {dataset.Source} has label(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))} that model '{bundle.Name}' does not know: expected names from {string.Join(", ", bundle.Labels.Select(label => label.Name))}");
        }
    }

    /// <summary>
    /// <paramref name="logits"/> (a logits model's scores, as <see cref="Run"/> gives them without re-scoring) corrected
    /// by <paramref name="rescoring"/> image by image, through the runtime's own float32 code, so the result is what
    /// <see cref="Run"/> gives with that block in the manifest.
    /// </summary>
    internal static ScoreMatrix Rescore(ScoreMatrix logits, LogitRescoring rescoring)
    {
        var labelCount = logits.LabelCount;
        var rank = new double[logits.RankScores.Length];
        var probabilities = new double[rank.Length];
        var raw = new float[labelCount];
        var corrected = new float[labelCount];
        for (var row = 0; row < rank.Length; row += labelCount)
        {
            for (var label = 0; label < labelCount; label++)
            {
                raw[label] = (float)logits.RankScores[row + label];
            }

            rescoring.Apply(raw, corrected);
            for (var label = 0; label < labelCount; label++)
            {
                rank[row + label] = corrected[label];
                probabilities[row + label] = Sigmoid(corrected[label]);
            }
        }

        return logits with { RankScores = rank, Probabilities = probabilities };
    }

    private static double Sigmoid(double logit) => 1 / (1 + Math.Exp(-logit));
}
