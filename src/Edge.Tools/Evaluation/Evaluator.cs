using Edge.Camera.Sources.OpenCv;
using Edge.Runtime.Bundles;
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
    public static EvaluationResult Run(ModelBundle bundle, ModelSession session, LabeledDataset dataset, IProgress<int>? progress = null, CancellationToken cancellationToken = default, int maxMegapixels = ImageFile.DefaultMaxMegapixels)
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
        for (var image = 0; image < count; image++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var item = dataset.Images[image];
            scorer.Score(item.ImagePath);
            var row = image * labelCount;
            for (var label = 0; label < labelCount; label++)
            {
                double raw = session.Output[label];
                rank[row + label] = raw;
                probabilities[row + label] = bundle.OutputKind == OutputKind.Logits ? 1 / (1 + Math.Exp(-raw)) : raw;
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

        var scores = new ScoreMatrix(labels, rank, probabilities, truth, ignored);
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
}
