namespace Edge.Camera.Synthetic.Perturbations;

public enum BackgroundKind
{
    Gradient,
    Stripes,
    Checker,
    Blotches,
    Clutter,
}

/// <summary>How an item is composited over what lies beneath it.</summary>
public enum BlendMode
{
    Normal,
    Multiply,
    Lighten,
    Translucent,
}

/// <summary>
/// The perturbation drawn for one scene: neutral values (the default) leave the clean rendering untouched. Drawn by
/// <see cref="PerturbationSampler"/> from the scene's own random stream, so it is a pure function of (seed, split,
/// scene index, family).
/// </summary>
public struct ScenePerturbation
{
    public BackgroundKind Background;
    public double TextureFrequency;
    public double TextureCos;
    public double TextureSin;
    public double TextureB, TextureG, TextureR;
    public int ClutterCount;
    public ulong ClutterSeed;

    /// <summary>Output = ((input / 255) ^ Gamma * 255 - 128) * Contrast + 128 + Brightness, per channel after the cast.</summary>
    public double Contrast;
    public double Brightness;
    public double Gamma;

    public double CastB, CastG, CastR;
    public double OffsetB, OffsetG, OffsetR;

    public double DefocusRadius;
    public double MotionLength;
    public double MotionAngle;

    public double NoiseSigma;
    public double SaltPepper;
    public ulong NoiseSeed;

    /// <summary>JPEG quality 1-100, 0 for none.</summary>
    public int JpegQuality;

    public static ScenePerturbation Neutral => new()
    {
        Contrast = 1,
        Gamma = 1,
        CastB = 1,
        CastG = 1,
        CastR = 1,
    };

    public readonly bool ChangesTone =>
        Contrast != 1 || Brightness != 0 || Gamma != 1 || CastB != 1 || CastG != 1 || CastR != 1
        || OffsetB != 0 || OffsetG != 0 || OffsetR != 0;

    public readonly bool ChangesPixels =>
        ChangesTone || DefocusRadius > 0 || MotionLength > 0 || NoiseSigma > 0 || SaltPepper > 0 || JpegQuality > 0;
}
