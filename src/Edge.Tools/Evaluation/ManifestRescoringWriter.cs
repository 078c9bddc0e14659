using System.Text.Json.Nodes;
using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Tools.Evaluation.Rescoring;

namespace Edge.Tools.Evaluation;

/// <summary>Where a re-scoring fit's data came from, for the block's provenance.</summary>
/// <param name="TrainLabels">The training labels.csv the graph was counted on, and its image count.</param>
/// <param name="Validation">The dataset α was chosen on, and its image count.</param>
public sealed record RescoringSources(string TrainLabels, int TrainImages, string Validation, int ValidationImages, DateTimeOffset When);

/// <summary>
/// Writes a fitted re-scoring block into a bundle's <c>manifest.json</c> (the <c>rescoring</c> field, replaced whole), or
/// removes it, keeping every other field as it was; atomic and checked like <see cref="ManifestThresholdWriter"/>.
/// </summary>
public static class ManifestRescoringWriter
{
    public static void Write(ModelBundle bundle, RescoringFit fit, RescoringSources sources)
    {
        var count = bundle.Labels.Count;
        if (fit.Bias.Length != count || fit.Matrix.Length != count * count)
        {
            throw new ArgumentException($"a fit for {fit.Bias.Length} labels, the bundle has {count}", nameof(fit));
        }

        var matrix = new JsonArray();
        for (var row = 0; row < count; row++)
        {
            matrix.Add((JsonNode)new JsonArray([.. fit.Matrix.Skip(row * count).Take(count).Select(value => (JsonNode)value)]));
        }

        var manifest = ManifestFileEdit.Read(bundle);
        manifest["rescoring"] = new JsonObject
        {
            ["kind"] = LogitRescoring.LinearLogits,
            ["matrix"] = matrix,
            ["bias"] = new JsonArray([.. fit.Bias.Select(value => (JsonNode)value)]),
            ["provenance"] = new JsonObject
            {
                ["fitted_by"] = "edge eval --fit-rescoring",
                ["date"] = sources.When.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                ["graph"] = "ml-gcn",
                ["edges"] = fit.Graph.Direction == LabelGraphEdges.Accompanying ? "accompanying: A[i][j] = P(j|i) >= tau" : "implying: A[i][j] = P(i|j) >= tau",
                ["tau"] = fit.Graph.Tau,
                ["p"] = fit.Graph.P,
                ["alpha"] = fit.Alpha,
                ["bias"] = "-matrix . mean validation logits (keeps each label's mean logit)",
                ["train_labels"] = sources.TrainLabels,
                ["train_images"] = sources.TrainImages,
                ["validation"] = sources.Validation,
                ["validation_images"] = sources.ValidationImages,
                ["validation_mAP"] = Math.Round(fit.Before.MeanAp, 4),
                ["validation_mAP_rescored"] = Math.Round(fit.After.MeanAp, 4),
            },
        };
        ManifestFileEdit.Replace(bundle, manifest);
    }

    /// <summary>Removes the <c>rescoring</c> block (a new fit found that the model does best alone); false when there was none.</summary>
    public static bool Remove(ModelBundle bundle)
    {
        var manifest = ManifestFileEdit.Read(bundle);
        if (!manifest.Remove("rescoring"))
        {
            return false;
        }

        ManifestFileEdit.Replace(bundle, manifest);
        return true;
    }
}
