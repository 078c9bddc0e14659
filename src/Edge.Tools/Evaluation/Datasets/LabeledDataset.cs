namespace Edge.Tools.Evaluation.Datasets;

/// <summary>A labelled dataset read by <see cref="DatasetReader"/>.</summary>
/// <param name="Source">Full path of what was read: the CSV or JSON file, or the VOC folder.</param>
/// <param name="Format">One of <see cref="DatasetReader.Formats"/>.</param>
/// <param name="Images">The images in file order (VOC: annotation files sorted by name).</param>
public sealed record LabeledDataset(string Source, string Format, IReadOnlyList<LabeledImage> Images)
{
    /// <summary>
    /// Distinct labels that appear in <see cref="LabeledImage.Labels"/> or <see cref="LabeledImage.IgnoredLabels"/> of
    /// any image, ordinal-sorted. Computed from <see cref="Images"/> on each read rather than cached, so a copy made
    /// with <c>with { Images = ... }</c> can never report the labels of the images it no longer has.
    /// </summary>
    public IReadOnlyList<string> LabelNames
    {
        get
        {
            var names = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var image in Images)
            {
                names.UnionWith(image.Labels);
                names.UnionWith(image.IgnoredLabels);
            }

            return [.. names];
        }
    }
}
