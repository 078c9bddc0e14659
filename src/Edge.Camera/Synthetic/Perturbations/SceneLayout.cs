namespace Edge.Camera.Synthetic.Perturbations;

/// <summary>
/// How items are laid out: their size range as a share of the canvas and how much they may cover one another.
/// </summary>
/// <param name="MinSize">Smallest item side, as a share of the canvas side.</param>
/// <param name="MaxSize">Largest item side, as a share of the canvas side.</param>
/// <param name="MinVisible">With free overlap: the share of every item's box that must stay uncovered; 0 keeps the clean
/// rule (at most 20% of the smaller item's box shared with any other item).</param>
public readonly record struct SceneLayout(double MinSize, double MaxSize, double MinVisible)
{
    public static SceneLayout Clean { get; } = new(0.30, 0.50, 0);

    public bool FreeOverlap => MinVisible > 0;
}
