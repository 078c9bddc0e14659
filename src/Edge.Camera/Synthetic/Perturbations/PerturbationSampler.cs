namespace Edge.Camera.Synthetic.Perturbations;

/// <summary>
/// Draws what a family does to one scene. The evaluation families use fixed, clearly visible strengths; the
/// training-time <see cref="SceneFamily.Randomized"/> family draws each shift with its own probability over a wider
/// range that also includes mild values, so a model trained on it meets every evaluation strength in training.
/// </summary>
internal static class PerturbationSampler
{
    private const int MixedShifts = 3;

    private static readonly (SceneFamily First, SceneFamily? Second)[] MixChoices =
    [
        (SceneFamily.Lighting, null),
        (SceneFamily.Tint, null),
        (SceneFamily.Texture, SceneFamily.Clutter),
        (SceneFamily.Defocus, SceneFamily.MotionBlur),
        (SceneFamily.Noise, null),
        (SceneFamily.Jpeg, null),
    ];

    public static SceneLayout Layout(SceneFamily family, ref SceneRandom random) => family switch
    {
        SceneFamily.Occlusion => new SceneLayout(0.30, 0.50, 0.5),
        SceneFamily.ScaleSmall => new SceneLayout(0.15, 0.26, 0),
        SceneFamily.ScaleLarge => new SceneLayout(0.50, 0.65, 0),
        SceneFamily.Randomized => new SceneLayout(0.15, 0.60, random.NextDouble() < 0.5 ? 0.5 : 0),
        _ => SceneLayout.Clean,
    };

    public static BlendMode Blend(SceneFamily family, ref SceneRandom random) => family switch
    {
        SceneFamily.Occlusion => (BlendMode)random.NextInt(4),
        SceneFamily.Randomized => random.NextDouble() < 0.7 ? BlendMode.Normal : (BlendMode)(1 + random.NextInt(3)),
        _ => BlendMode.Normal,
    };

    /// <summary>Whether an item of a randomised scene ignores the clean renderer's contrast-aware tint.</summary>
    public static bool FreeTint(SceneFamily family, ref SceneRandom random) =>
        family == SceneFamily.Randomized && random.NextDouble() < 0.3;

    /// <param name="scale">Canvas side / 224: blur sizes are stated for 224 px and scale with the canvas.</param>
    public static ScenePerturbation Draw(SceneFamily family, ref SceneRandom random, double scale)
    {
        var shift = ScenePerturbation.Neutral;
        shift.NoiseSeed = random.NextUInt64();
        shift.ClutterSeed = random.NextUInt64();
        switch (family)
        {
            case SceneFamily.Mix:
                Mix(ref shift, ref random, scale);
                break;
            case SceneFamily.Randomized:
                Randomized(ref shift, ref random, scale);
                break;
            default:
                Appearance(family, ref shift, ref random, scale);
                break;
        }

        return shift;
    }

    /// <summary>One appearance family at its evaluation strength (nothing for the others).</summary>
    private static void Appearance(SceneFamily family, ref ScenePerturbation shift, ref SceneRandom random, double scale)
    {
        switch (family)
        {
            case SceneFamily.Lighting:
                StrongLighting(ref shift, ref random);
                break;
            case SceneFamily.Tint:
                StrongTint(ref shift, ref random);
                break;
            case SceneFamily.Texture:
                Texture(ref shift, ref random);
                break;
            case SceneFamily.Clutter:
                shift.Background = BackgroundKind.Clutter;
                shift.ClutterCount = 6 + random.NextInt(9);
                break;
            case SceneFamily.Defocus:
                shift.DefocusRadius = random.Uniform(2, 4) * scale;
                break;
            case SceneFamily.MotionBlur:
                Motion(ref shift, ref random, random.Uniform(7, 15) * scale);
                break;
            case SceneFamily.Noise:
                shift.NoiseSigma = random.Uniform(12, 28);
                shift.SaltPepper = random.Uniform(0, 0.02);
                break;
            case SceneFamily.Jpeg:
                shift.JpegQuality = 8 + random.NextInt(18);
                break;
        }
    }

    /// <summary>Three distinct appearance shifts; background and blur are one choice each (texture or clutter, defocus or motion).</summary>
    private static void Mix(ref ScenePerturbation shift, ref SceneRandom random, double scale)
    {
        Span<bool> taken = stackalloc bool[MixChoices.Length];
        for (var n = 0; n < MixedShifts; n++)
        {
            int pick;
            do
            {
                pick = random.NextInt(MixChoices.Length);
            }
            while (taken[pick]);
            taken[pick] = true;
            var (first, second) = MixChoices[pick];
            var family = second is { } other && random.NextDouble() >= 0.5 ? other : first;
            Appearance(family, ref shift, ref random, scale);
        }
    }

    private static void Randomized(ref ScenePerturbation shift, ref SceneRandom random, double scale)
    {
        var background = random.NextDouble();
        if (background < 0.3)
        {
            Texture(ref shift, ref random);
        }
        else if (background < 0.6)
        {
            shift.Background = BackgroundKind.Clutter;
            shift.ClutterCount = 3 + random.NextInt(14);
        }

        if (random.NextDouble() < 0.5)
        {
            shift.Contrast = random.Uniform(0.4, 1.7);
            shift.Brightness = random.Uniform(-70, 70);
            shift.Gamma = random.Uniform(0.55, 1.7);
        }

        if (random.NextDouble() < 0.5)
        {
            shift.CastB = random.Uniform(0.5, 1.5);
            shift.CastG = random.Uniform(0.5, 1.5);
            shift.CastR = random.Uniform(0.5, 1.5);
            shift.OffsetB = random.Uniform(-30, 30);
            shift.OffsetG = random.Uniform(-30, 30);
            shift.OffsetR = random.Uniform(-30, 30);
        }

        if (random.NextDouble() < 0.35)
        {
            if (random.NextDouble() < 0.5)
            {
                shift.DefocusRadius = random.Uniform(0.8, 4.5) * scale;
            }
            else
            {
                Motion(ref shift, ref random, random.Uniform(3, 17) * scale);
            }
        }

        if (random.NextDouble() < 0.4)
        {
            shift.NoiseSigma = random.Uniform(3, 30);
            shift.SaltPepper = random.NextDouble() < 0.3 ? random.Uniform(0, 0.02) : 0;
        }

        if (random.NextDouble() < 0.35)
        {
            shift.JpegQuality = 8 + random.NextInt(68);
        }
    }

    private static void StrongLighting(ref ScenePerturbation shift, ref SceneRandom random)
    {
        shift.Contrast = random.NextDouble() < 0.5 ? random.Uniform(0.45, 0.7) : random.Uniform(1.3, 1.6);
        var brightness = random.Uniform(30, 60);
        shift.Brightness = random.NextDouble() < 0.5 ? -brightness : brightness;
        shift.Gamma = random.Uniform(0.6, 1.6);
    }

    private static void StrongTint(ref ScenePerturbation shift, ref SceneRandom random)
    {
        shift.CastB = random.Uniform(0.55, 1.45);
        shift.CastG = random.Uniform(0.55, 1.45);
        shift.CastR = random.Uniform(0.55, 1.45);
        // One channel at least 0.3 off neutral, so every scene of the family carries a visible cast.
        var strong = 1 + ((random.NextDouble() < 0.5 ? -1 : 1) * random.Uniform(0.3, 0.45));
        switch (random.NextInt(3))
        {
            case 0:
                shift.CastB = strong;
                break;
            case 1:
                shift.CastG = strong;
                break;
            default:
                shift.CastR = strong;
                break;
        }

        shift.OffsetB = random.Uniform(-25, 25);
        shift.OffsetG = random.Uniform(-25, 25);
        shift.OffsetR = random.Uniform(-25, 25);
    }

    private static void Texture(ref ScenePerturbation shift, ref SceneRandom random)
    {
        shift.Background = (BackgroundKind)(1 + random.NextInt(3));
        shift.TextureFrequency = random.Uniform(3, 14);
        var angle = random.Uniform(0, Math.PI);
        shift.TextureCos = Math.Cos(angle);
        shift.TextureSin = Math.Sin(angle);
        shift.TextureB = random.Uniform(0, 255);
        shift.TextureG = random.Uniform(0, 255);
        shift.TextureR = random.Uniform(0, 255);
    }

    private static void Motion(ref ScenePerturbation shift, ref SceneRandom random, double length)
    {
        shift.MotionLength = length;
        shift.MotionAngle = random.Uniform(0, Math.PI);
    }
}
