using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Runtime.Bundles;

namespace Edge.Tools.Evaluation;

/// <summary>
/// Rewrites a bundle's label thresholds in <c>manifest.json</c>, keeping every other field as it was and each label's
/// hysteresis gap (threshold − off_threshold). Writes to a temporary file and renames it over the manifest, so a
/// failure never leaves a half-written manifest; the result is loaded again to prove it is valid.
/// </summary>
public static class ManifestThresholdWriter
{
    public static void Write(ModelBundle bundle, IReadOnlyList<double> thresholds, string howChosen)
    {
        if (thresholds.Count != bundle.Labels.Count)
        {
            throw new ArgumentException($"{thresholds.Count} thresholds for {bundle.Labels.Count} labels", nameof(thresholds));
        }

        var manifest = ManifestFileEdit.Read(bundle);
        var labels = manifest["labels"]?.AsArray() ?? throw new ModelBundleException($"{Path.Combine(bundle.Directory, ModelBundle.ManifestFile)} has no 'labels'");
        for (var i = 0; i < labels.Count; i++)
        {
            var on = Math.Round(thresholds[i], 4);
            var gap = bundle.Labels[i].On - bundle.Labels[i].Off;
            var label = labels[i]!.AsObject();
            label["threshold"] = on;
            label["off_threshold"] = Math.Round(Math.Max(0.01, on - gap), 4);
        }

        var provenance = manifest["provenance"] as JsonObject ?? [];
        manifest["provenance"] = provenance;
        provenance["thresholds"] = howChosen;

        ManifestFileEdit.Replace(bundle, manifest);
    }

    public static string Describe(string dataset, int images, DateTimeOffset when) => string.Create(
        CultureInfo.InvariantCulture,
        $"tuned by 'edge eval --tune-thresholds' on {dataset} ({images} images) at {when:yyyy-MM-dd}: per-label F1-optimal on a 0.01 grid, shrunk toward the global OF1-optimal threshold with {Edge.Tools.Evaluation.ThresholdTuner.PriorStrength} pseudo-positives; hysteresis gaps kept");
}
