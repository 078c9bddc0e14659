using Edge.Camera.Sources.OpenCv;
using Edge.Runtime.Bundles;
using Edge.Runtime.Inference;

namespace Edge.Tools.Evaluation.Robustness;

/// <summary>
/// Runs one model session over every family of a robustness set with <see cref="Evaluator"/> (the runtime's own
/// image reader, preprocessing and session, as <c>edge eval --data</c>), so the model is loaded once for all families.
/// </summary>
public static class RobustnessEvaluator
{
    /// <param name="progress">Told the number of images done over all families (up to <see cref="RobustnessSet.ImageCount"/>).</param>
    /// <param name="applyRescoring">As <see cref="Evaluator.Run"/>: false measures the model's own logits (A/B of a
    /// rescoring block on the context families).</param>
    public static RobustnessResult Run(
        ModelBundle bundle,
        ModelSession session,
        RobustnessSet set,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default,
        int maxMegapixels = ImageFile.DefaultMaxMegapixels,
        bool applyRescoring = true)
    {
        // A family with a label the model does not know fails before the first family runs, not after it.
        foreach (var family in set.Families)
        {
            Evaluator.CheckLabels(bundle, family.Dataset);
        }

        var evaluations = new List<EvaluationResult>(set.Families.Count);
        var done = 0;
        foreach (var family in set.Families)
        {
            var familyProgress = progress is null ? null : new OffsetProgress(progress, done);
            evaluations.Add(Evaluator.Run(bundle, session, family.Dataset, familyProgress, cancellationToken, maxMegapixels, applyRescoring));
            done += family.Dataset.Images.Count;
        }

        return RobustnessResult.From(set, evaluations);
    }

    /// <summary>Reports a family's image count as a count over the whole set.</summary>
    private sealed class OffsetProgress(IProgress<int> total, int offset) : IProgress<int>
    {
        public void Report(int value) => total.Report(offset + value);
    }
}
