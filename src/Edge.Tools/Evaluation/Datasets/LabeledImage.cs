namespace Edge.Tools.Evaluation.Datasets;

/// <summary>One image of a labelled dataset and its image-level truth.</summary>
/// <param name="ImagePath">Full path of the image file; it existed when the dataset was read.</param>
/// <param name="Labels">Labels present in the image, each once.</param>
/// <param name="IgnoredLabels">
/// Labels that are neither present nor absent for this image (VOC's "difficult"-only labels): the image is left out of
/// these labels' evaluation. Never overlaps <paramref name="Labels"/>.
/// </param>
/// <param name="Slice">Name of the subset the image belongs to (for per-slice metrics), or null.</param>
public sealed record LabeledImage(string ImagePath, IReadOnlyList<string> Labels, IReadOnlyList<string> IgnoredLabels, string? Slice);
