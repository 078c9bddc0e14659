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
}

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

    public int ItemCount { get; internal set; }

    /// <summary>Distinct class ids present, ascending.</summary>
    public ReadOnlySpan<int> Truth => truth.AsSpan(0, TruthCount);

    public int TruthCount { get; private set; }

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
