namespace Edge.Camera.Synthetic.Perturbations;

/// <summary>
/// A named way of shifting MultiFashion scenes away from the clean renderer: one perturbation family for robustness
/// evaluation, their mix, or the training-time domain randomisation that widens every parameter at once.
/// </summary>
public enum SceneFamily
{
    Clean,
    Occlusion,
    ScaleSmall,
    ScaleLarge,
    Lighting,
    Tint,
    Texture,
    Clutter,
    Defocus,
    MotionBlur,
    Noise,
    Jpeg,
    Mix,
    Randomized,
}

/// <summary>What a family changes: which part of the scene a gap on it points at.</summary>
public enum SceneFamilyKind
{
    Clean,
    Appearance,
    Geometry,
    Mix,
    Training,
}

public static class SceneFamilies
{
    private static readonly (SceneFamily Family, string Name, SceneFamilyKind Kind, string Description)[] Table =
    [
        (SceneFamily.Clean, "clean", SceneFamilyKind.Clean, "the renderer's own statistics: items 0.30-0.50 of the canvas, at most 20% overlap, two-colour gradient background, mild noise"),
        (SceneFamily.Occlusion, "occlusion", SceneFamilyKind.Geometry, "items overlap freely while each keeps at least 50% of its box visible; blend modes normal, multiply, lighten and translucent"),
        (SceneFamily.ScaleSmall, "scale-small", SceneFamilyKind.Geometry, "items 0.15-0.26 of the canvas"),
        (SceneFamily.ScaleLarge, "scale-large", SceneFamilyKind.Geometry, "items 0.50-0.65 of the canvas (fewer fit)"),
        (SceneFamily.Lighting, "lighting", SceneFamilyKind.Appearance, "contrast x0.45-0.7 or x1.3-1.6, brightness shift 30-60 either way, gamma 0.6-1.6"),
        (SceneFamily.Tint, "tint", SceneFamilyKind.Appearance, "a colour cast over the whole image: per-channel gains 0.55-1.45 (one channel at least 0.3 off neutral) and offsets up to 25"),
        (SceneFamily.Texture, "texture", SceneFamilyKind.Appearance, "textured backgrounds: stripes, checkerboard or blotches in two random colours"),
        (SceneFamily.Clutter, "clutter", SceneFamilyKind.Appearance, "6-14 distractor shapes (rectangles, ellipses, lines) behind the items"),
        (SceneFamily.Defocus, "defocus", SceneFamilyKind.Appearance, "defocus blur: a disk kernel of radius 2-4 px at 224 px"),
        (SceneFamily.MotionBlur, "motion-blur", SceneFamilyKind.Appearance, "motion blur: a line kernel of 7-15 px at 224 px in a random direction"),
        (SceneFamily.Noise, "noise", SceneFamilyKind.Appearance, "sensor noise: Gaussian sigma 12-28 plus 0-2% salt-and-pepper pixels"),
        (SceneFamily.Jpeg, "jpeg", SceneFamilyKind.Appearance, "JPEG compression at quality 8-25"),
        (SceneFamily.Mix, "mix", SceneFamilyKind.Mix, "three appearance shifts at once, drawn per scene from lighting, tint, texture or clutter, defocus or motion blur, noise and JPEG"),
        (SceneFamily.Randomized, "randomized", SceneFamilyKind.Training, "training-time domain randomisation: items 0.15-0.6, occlusion, textured or cluttered backgrounds, and every appearance shift, each drawn per scene with its own probability and a range that includes mild values"),
    ];

    /// <summary>The families a robustness set holds, clean first.</summary>
    public static IReadOnlyList<SceneFamily> Evaluation { get; } =
    [
        SceneFamily.Clean, SceneFamily.Occlusion, SceneFamily.ScaleSmall, SceneFamily.ScaleLarge, SceneFamily.Lighting,
        SceneFamily.Tint, SceneFamily.Texture, SceneFamily.Clutter, SceneFamily.Defocus, SceneFamily.MotionBlur,
        SceneFamily.Noise, SceneFamily.Jpeg, SceneFamily.Mix,
    ];

    public static IEnumerable<string> Names => Table.Select(row => row.Name);

    public static string Name(this SceneFamily family) => Row(family).Name;

    public static SceneFamilyKind Kind(this SceneFamily family) => Row(family).Kind;

    public static string Description(this SceneFamily family) => Row(family).Description;

    /// <summary>Whether the family keeps the clean scene's layout, so its scenes pair one-to-one with clean ones.</summary>
    public static bool KeepsLayout(this SceneFamily family) =>
        family is not (SceneFamily.Occlusion or SceneFamily.ScaleSmall or SceneFamily.ScaleLarge or SceneFamily.Randomized);

    public static SceneFamily Parse(string text)
    {
        foreach (var row in Table)
        {
            if (string.Equals(row.Name, text, StringComparison.OrdinalIgnoreCase))
            {
                return row.Family;
            }
        }

        throw new ArgumentException($"unknown scene family '{text}', expected one of {string.Join(", ", Names)}");
    }

    private static (SceneFamily Family, string Name, SceneFamilyKind Kind, string Description) Row(SceneFamily family)
    {
        foreach (var row in Table)
        {
            if (row.Family == family)
            {
                return row;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(family), family, "not a scene family");
    }
}
