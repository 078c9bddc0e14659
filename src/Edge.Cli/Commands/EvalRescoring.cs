using System.Globalization;
using Edge.Runtime.Bundles;
using Edge.Tools.Evaluation;
using Edge.Tools.Evaluation.Datasets;
using Edge.Tools.Evaluation.Rescoring;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge eval --fit-rescoring TRAIN_LABELS</c>: builds the label graph from the training labels, chooses its direction
/// and strength on the evaluated (validation) data, prints the search and the mAP before and after, and with
/// <c>--write</c> stores the block in the bundle's manifest (docs/evaluation.md).
/// </summary>
internal static class EvalRescoring
{
    /// <summary>The training labels' co-occurrence and the label graphs built from it, one per edge direction.</summary>
    public sealed record TrainingGraphs(string TrainLabels, LabelCooccurrence Cooccurrence, IReadOnlyList<LabelGraph> Graphs);

    /// <summary>A fit, the evaluation re-scored by it (the model's own when it does not help), and the graphs it chose from.</summary>
    public sealed record Outcome(RescoringFit Fit, EvaluationResult Result, TrainingGraphs Training);

    /// <summary>Reads the training labels and builds the graphs: before the evaluation, so a bad file or model stops at once.</summary>
    public static TrainingGraphs Graphs(ModelBundle bundle, string trainLabels)
    {
        if (bundle.OutputKind != OutputKind.Logits)
        {
            throw new UserError(ExitCode.InvalidArguments, $"--fit-rescoring corrects logits, but model '{bundle.Name}' has output.kind probabilities: expected a model that emits logits");
        }

        var labels = bundle.Labels.Select(label => label.Name).ToList();
        var cooccurrence = LabelCooccurrence.Count(labels, TrainingLabelSets.Read(trainLabels, labels));
        return new TrainingGraphs(trainLabels, cooccurrence, [LabelGraph.Build(cooccurrence, LabelGraphEdges.Accompanying), LabelGraph.Build(cooccurrence, LabelGraphEdges.Implying)]);
    }

    /// <summary>Fits on <paramref name="logits"/>: the model's own scores on the validation data (evaluated without re-scoring).</summary>
    public static Outcome Fit(ModelBundle bundle, LabeledDataset validation, EvaluationResult logits, TrainingGraphs training, TextWriter output)
    {
        var thresholds = bundle.Labels.Select(label => (double)label.On).ToArray();
        var fit = RescoringFitter.Fit(logits.Scores, training.Graphs, thresholds);
        if (bundle.Rescoring is not null)
        {
            output.WriteLine("the bundle's own rescoring block was left out: the fit starts from the model's logits");
        }

        Print(output, fit, training.Cooccurrence, training.Graphs);
        return new Outcome(fit, fit.Helps ? Evaluator.Summarise(fit.Rescored, bundle, validation) : logits, training);
    }

    /// <summary>Writes the fitted block, or removes the bundle's block when the model does best alone.</summary>
    public static void Write(ModelBundle bundle, Outcome outcome, LabeledDataset validation)
    {
        var fit = outcome.Fit;
        var manifest = Path.Combine(bundle.Directory, ModelBundle.ManifestFile);
        if (fit.Helps)
        {
            var sources = new RescoringSources(Path.GetFullPath(outcome.Training.TrainLabels), outcome.Training.Cooccurrence.Images, validation.Source, validation.Images.Count, TimeProvider.System.GetUtcNow());
            ManifestRescoringWriter.Write(bundle, fit, sources);
            Console.Error.WriteLine($"rescoring block written to {manifest}");
        }
        else if (ManifestRescoringWriter.Remove(bundle))
        {
            Console.Error.WriteLine($"re-scoring does not raise validation mAP by {RescoringFitter.MinimumGain} or more: the rescoring block was removed from {manifest}");
        }
        else
        {
            Console.Error.WriteLine($"re-scoring does not raise validation mAP by {RescoringFitter.MinimumGain} or more: nothing written to {manifest}");
        }
    }

    internal static void Print(TextWriter output, RescoringFit fit, LabelCooccurrence cooccurrence, IReadOnlyList<LabelGraph> graphs)
    {
        output.WriteLine();
        output.WriteLine(F($"re-scoring: ML-GCN label graph from {cooccurrence.Images} training label sets, tau {fit.Graph.Tau}, p {fit.Graph.P}"));
        output.WriteLine("edges        links  best alpha    mAP    OF1");
        foreach (var graph in graphs)
        {
            var best = fit.Candidates.Where(c => c.Direction == graph.Direction).OrderByDescending(c => c.MeanAp).ThenBy(c => Math.Abs(c.Alpha)).First();
            output.WriteLine(F($"{Name(graph.Direction),-12}{graph.EdgeCount,6}{best.Alpha,12:F2}{best.MeanAp,7:F2}{best.OF1,7:F2}"));
        }

        output.WriteLine(fit.Helps
            ? F($"chosen: {Name(fit.Graph.Direction)} edges, alpha {fit.Alpha:F2}: validation mAP {fit.Before.MeanAp:F2} -> {fit.After.MeanAp:F2}, OF1 {fit.Before.OF1:F2} -> {fit.After.OF1:F2} at the bundle's thresholds")
            : F($"chosen: none: no alpha raises validation mAP by {RescoringFitter.MinimumGain} or more above {fit.Before.MeanAp:F2}"));
        output.WriteLine(fit.Helps ? "the metrics that follow are the re-scored ones" : "the metrics that follow are the model's own");
        if (fit.Helps && (fit.Alpha == RescoringFitter.Alphas[0] || fit.Alpha == RescoringFitter.Alphas[^1]))
        {
            output.WriteLine("note: alpha is at the end of the searched range");
        }
    }

    private static string Name(LabelGraphEdges edges) => edges == LabelGraphEdges.Accompanying ? "accompanying" : "implying";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
