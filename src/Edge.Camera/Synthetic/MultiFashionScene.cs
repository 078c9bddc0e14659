using Edge.Camera.Synthetic.Perturbations;

namespace Edge.Camera.Synthetic;

/// <summary>One item placed in a scene: which Fashion-MNIST image, where, how big, how it drifts, its colour.</summary>
internal struct SceneItem
{
    public int ItemIndex;
    public int ClassId;
    public double X;
    public double Y;
    public double VelocityX;
    public double VelocityY;
    public double Size;
    public double TintB;
    public double TintG;
    public double TintR;
    public double Opacity;
    public bool Flip;
    public BlendMode Blend;
}

/// <summary>Where an item of a scene lies (its square box in pixels, clipped to the canvas) and how much of it shows.</summary>
/// <param name="Visible">Share (0-1) of the box not covered by the boxes of items drawn after it.</param>
public readonly record struct SceneItemBox(int ClassId, double X0, double Y0, double X1, double Y1, double Visible);

/// <summary>The description of a scene; rendering it at a time step gives the pixels. Reused, never reallocated.</summary>
public sealed class MultiFashionScene
{
    public const int MaxItems = 4;

    internal readonly SceneItem[] Items = new SceneItem[MaxItems];
    private readonly int[] truth = new int[MaxItems];

    internal double BackgroundAB, BackgroundAG, BackgroundAR;
    internal double BackgroundBB, BackgroundBG, BackgroundBR;
    internal double GradientCos, GradientSin;
    internal double NoiseAmplitude;
    internal ulong NoiseSeed;
    internal ScenePerturbation Perturbation = ScenePerturbation.Neutral;

    public int ItemCount { get; internal set; }

    /// <summary>Distinct class ids present, ascending.</summary>
    public ReadOnlySpan<int> Truth => truth.AsSpan(0, TruthCount);

    public int TruthCount { get; private set; }

    /// <summary>Item <paramref name="index"/> (0 to ItemCount - 1, in drawing order) as placed, before any drift.</summary>
    public SceneItemBox ItemBox(int index, int canvasSize)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)ItemCount, nameof(index));
        ref readonly var item = ref Items[index];
        return new SceneItemBox(
            item.ClassId,
            Math.Max(0, item.X),
            Math.Max(0, item.Y),
            Math.Min(canvasSize, item.X + item.Size),
            Math.Min(canvasSize, item.Y + item.Size),
            VisibleShare(index, ItemCount));
    }

    /// <summary>
    /// The share of item <paramref name="index"/>'s box not covered by the boxes of items index+1 .. <paramref name="drawn"/>-1,
    /// estimated on a 24 x 24 grid of sample points (exact to about 1/576 of the box).
    /// </summary>
    internal double VisibleShare(int index, int drawn)
    {
        const int grid = 24;
        ref readonly var item = ref Items[index];
        var uncovered = 0;
        for (var gy = 0; gy < grid; gy++)
        {
            var y = item.Y + ((gy + 0.5) * item.Size / grid);
            for (var gx = 0; gx < grid; gx++)
            {
                var x = item.X + ((gx + 0.5) * item.Size / grid);
                var covered = false;
                for (var other = index + 1; other < drawn && !covered; other++)
                {
                    ref readonly var above = ref Items[other];
                    covered = x >= above.X && x < above.X + above.Size && y >= above.Y && y < above.Y + above.Size;
                }

                uncovered += covered ? 0 : 1;
            }
        }

        return uncovered / (double)(grid * grid);
    }

    internal void UpdateTruth()
    {
        TruthCount = 0;
        for (var classId = 0; classId < FashionMnist.LabelNames.Count; classId++)
        {
            for (var i = 0; i < ItemCount; i++)
            {
                if (Items[i].ClassId == classId)
                {
                    truth[TruthCount++] = classId;
                    break;
                }
            }
        }
    }
}
