using System.Globalization;
using Edge.Runtime.Bundles;

namespace Edge.Runtime.Options;

/// <summary>Applies per-stream and per-head threshold overrides to a model's labels.</summary>
public static class ThresholdOverrides
{
    /// <summary>
    /// The model's labels with <paramref name="overrides"/> applied. An override without an off threshold keeps the
    /// manifest's hysteresis gap. Labels the model lacks are skipped when <paramref name="skipUnknown"/>, else refused.
    /// </summary>
    /// <param name="key">The setting key of the overrides, e.g. <c>streams[1].thresholds</c>.</param>
    public static IReadOnlyList<LabelThreshold> Apply(IReadOnlyList<LabelThreshold> labels, IReadOnlyDictionary<string, ThresholdOverride>? overrides, string key, string modelName, bool skipUnknown = false)
    {
        if (overrides is null || overrides.Count == 0)
        {
            return labels;
        }

        var result = labels.ToArray();
        foreach (var (name, value) in overrides)
        {
            var index = Array.FindIndex(result, label => label.Name == name);
            if (index < 0)
            {
                if (skipUnknown)
                {
                    continue;
                }

                throw new SettingException($"{key}.{name}", null, $"a label of model '{modelName}': {string.Join(", ", labels.Select(label => label.Name))}", $"names label '{name}', which model '{modelName}' does not have");
            }

            var label = result[index];
            var off = value.OffThreshold ?? Math.Max(0, value.Threshold - (label.On - label.Off));
            if (!(value.Threshold is >= 0 and <= 1) || !(off >= 0 && off <= value.Threshold))
            {
                throw new SettingException($"{key}.{name}", value.Threshold.ToString(CultureInfo.InvariantCulture), "a threshold from 0 to 1 and an off_threshold from 0 up to it");
            }

            result[index] = label with { On = value.Threshold, Off = off };
        }

        return result;
    }

    /// <summary>Refuses an override naming a label that none of <paramref name="models"/> has.</summary>
    public static void RequireKnown(IReadOnlyDictionary<string, ThresholdOverride>? overrides, IReadOnlyList<ModelBundle> models, string key) =>
        RequireKnown(overrides, [.. models.Select(model => model.Labels)], key);

    /// <summary>Refuses an override naming a label that none of <paramref name="labelSets"/> (each a model's labels) has.</summary>
    public static void RequireKnown(IReadOnlyDictionary<string, ThresholdOverride>? overrides, IReadOnlyList<IReadOnlyList<LabelThreshold>> labelSets, string key)
    {
        foreach (var name in overrides?.Keys ?? [])
        {
            if (!labelSets.Any(labels => labels.Any(label => label.Name == name)))
            {
                var known = string.Join(", ", labelSets.SelectMany(labels => labels.Select(label => label.Name)).Distinct());
                throw new SettingException($"{key}.{name}", null, $"a label of the stream's models: {known}", $"names label '{name}', which none of the stream's models has");
            }
        }
    }
}
