using Edge.Tools.Evaluation.Datasets;

namespace Edge.Tools.Evaluation.Robustness;

/// <summary>
/// A robustness set as <c>edge dataset multifashion --robustness</c> writes it: one labelled dataset per family, all
/// rendered from the same split, seed, scene count and canvas size, listed in <c>robustness.json</c>.
/// </summary>
/// <param name="Directory">Full path of the folder holding <c>robustness.json</c>.</param>
/// <param name="Split">The scene split the families were rendered from (<c>test</c> or <c>val</c>).</param>
/// <param name="Seed">The seed every family was rendered with.</param>
/// <param name="Count">Scenes rendered per family.</param>
/// <param name="Size">Width and height of each scene, in pixels.</param>
/// <param name="Families">The families in file order; the first is the clean one the others are compared with.</param>
public sealed record RobustnessSet(string Directory, string Split, ulong Seed, int Count, int Size, IReadOnlyList<RobustnessFamily> Families)
{
    /// <summary>The file in the set's folder that lists the families.</summary>
    public const string IndexFile = "robustness.json";

    /// <summary>The <c>format</c> value of the index this reader understands.</summary>
    public const string Format = "edge-robustness-set/1";

    public RobustnessFamily Clean => Families[0];

    /// <summary>Every image of every family, counted after any limit.</summary>
    public int ImageCount => Families.Sum(family => family.Dataset.Images.Count);
}

/// <summary>One perturbation family of a <see cref="RobustnessSet"/> and its dataset.</summary>
/// <param name="Name">The family's name (<c>clean</c>, <c>tint</c>, <c>out-of-context</c>, ...).</param>
/// <param name="Folder">The family's folder as the index names it, relative to the set's folder.</param>
/// <param name="Kind">One of <see cref="FamilyKind.All"/>.</param>
/// <param name="Description">What the family changes, as the index describes it (may be empty).</param>
/// <param name="Parameters">The family's rendering parameters as raw JSON (an object; <c>{}</c> when the index has none).</param>
/// <param name="Dataset">The family's images and labels, read from the folder's <c>labels.csv</c>.</param>
public sealed record RobustnessFamily(string Name, string Folder, string Kind, string Description, string Parameters, LabeledDataset Dataset)
{
    /// <summary>
    /// Whether the family shifts the images away from the clean renders (appearance, geometry, mix): the families the
    /// "shifted mean" averages. Clean families are the reference and context families change which labels occur
    /// together, not how the images look, so neither counts.
    /// </summary>
    public bool IsShifted => Kind is FamilyKind.Appearance or FamilyKind.Geometry or FamilyKind.Mix;
}

/// <summary>The <c>kind</c> values a family may have.</summary>
public static class FamilyKind
{
    public const string Clean = "clean";
    public const string Appearance = "appearance";
    public const string Geometry = "geometry";
    public const string Context = "context";
    public const string Mix = "mix";

    public static readonly IReadOnlyList<string> All = [Clean, Appearance, Geometry, Context, Mix];
}
