using Edge.Camera.Synthetic.Perturbations;

namespace Edge.Camera.Synthetic;

/// <summary>
/// Renders MultiFashion scenes: 0-4 Fashion-MNIST items, randomly scaled, placed (with limited overlap), tinted and
/// shaded over a two-colour gradient with sensor-like noise. Everything follows from (seed, split, scene index),
/// so the dataset generator and the synthetic camera produce the same scenes on every machine. A
/// <see cref="SceneFamily"/> other than clean shifts the scenes (layout, background, pixels); families that keep the
/// layout draw their shift from a stream of their own, so their scenes pair one-to-one with the clean ones.
/// </summary>
public sealed class MultiFashionRenderer
{
    private static readonly double[] ItemCountCumulative = [0.08, 0.33, 0.60, 0.82, 1.0];

    private readonly FashionMnist items;
    private readonly int poolStart;
    private readonly int poolCount;

    private readonly int[][] poolByClass;
    private readonly double outfitShare;
    private readonly bool outOfContext;

    /// <param name="items">The Fashion-MNIST items scenes are composed from.</param>
    /// <param name="split">Which split's share of the items to draw from.</param>
    /// <param name="canvasSize">Width and height of each square scene, in pixels.</param>
    /// <param name="outfitShare">Share of scenes (0-1) that follow the outfit prior (<see cref="OutfitPrior"/>);
    /// the rest place items of any class. 0 keeps the scenes of earlier versions unchanged. Ignored by the ood
    /// split, whose scenes all contradict the prior.</param>
    /// <param name="family">How scenes are shifted away from the clean renderer.</param>
    /// <param name="outOfContext">Every scene contradicts the outfit prior, as in the ood split, but drawn from this
    /// split's items (an out-of-context validation set from training items).</param>
    public MultiFashionRenderer(
        FashionMnist items,
        MultiFashionSplit split,
        int canvasSize,
        double outfitShare = 0,
        SceneFamily family = SceneFamily.Clean,
        bool outOfContext = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(canvasSize, 32);
        if (!(outfitShare >= 0 && outfitShare <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(outfitShare), $"outfit share is {outfitShare}, expected 0 to 1");
        }

        this.items = items;
        this.outfitShare = outfitShare;
        this.outOfContext = outOfContext || split == MultiFashionSplit.Ood;
        Family = family;
        Split = split;
        CanvasSize = canvasSize;
        (poolStart, poolCount) = split.ItemRange(items.Count);
        if (poolCount <= 0)
        {
            throw new ArgumentException($"Fashion-MNIST source has {items.Count} items, too few for the {split} split.");
        }

        poolByClass = Enumerable.Range(0, FashionMnist.LabelNames.Count)
            .Select(classId => Enumerable.Range(poolStart, poolCount).Where(index => items.ClassOf(index) == classId).ToArray())
            .ToArray();
    }

    public MultiFashionSplit Split { get; }

    public SceneFamily Family { get; }

    public int CanvasSize { get; }

    public int ScratchLength => CanvasSize * CanvasSize * 3;

    /// <summary>Describes scene <paramref name="sceneIndex"/> of this split for the given seed.</summary>
    public void Generate(ulong seed, long sceneIndex, MultiFashionScene scene)
    {
        var sceneSeed = SceneRandom.Mix(seed, (ulong)Split, (ulong)sceneIndex);
        var random = new SceneRandom(sceneSeed);
        var shift = new SceneRandom(SceneRandom.Mix(sceneSeed, 0x5EEDFA11UL, (ulong)Family + 1));
        double size = CanvasSize;
        scene.Perturbation = PerturbationSampler.Draw(Family, ref shift, size / 224);
        var layout = PerturbationSampler.Layout(Family, ref shift);

        scene.BackgroundAB = random.Uniform(0, 255);
        scene.BackgroundAG = random.Uniform(0, 255);
        scene.BackgroundAR = random.Uniform(0, 255);
        scene.BackgroundBB = random.Uniform(0, 255);
        scene.BackgroundBG = random.Uniform(0, 255);
        scene.BackgroundBR = random.Uniform(0, 255);
        var angle = random.Uniform(0, 2 * Math.PI);
        scene.GradientCos = Math.Cos(angle);
        scene.GradientSin = Math.Sin(angle);
        scene.NoiseAmplitude = random.Uniform(0, 14);
        scene.NoiseSeed = random.NextUInt64();

        var wanted = 0;
        var pick = random.NextDouble();
        while (pick >= ItemCountCumulative[wanted])
        {
            wanted++;
        }

        // Drawn only when a prior is in use, so scenes without one stay identical to earlier versions.
        Span<int> chosenClasses = stackalloc int[MultiFashionScene.MaxItems];
        var chosen = 0;
        if (outOfContext)
        {
            chosen = OutfitPrior.OutOfContext(ref random, chosenClasses);
        }
        else if (outfitShare > 0 && random.NextDouble() < outfitShare)
        {
            chosen = OutfitPrior.Outfit(ref random, chosenClasses);
        }

        if (chosen > 0)
        {
            wanted = chosen;
        }

        scene.ItemCount = 0;
        for (var n = 0; n < wanted; n++)
        {
            var itemSize = size * random.Uniform(layout.MinSize, layout.MaxSize);
            double x = 0, y = 0;
            var placed = false;
            for (var attempt = 0; attempt < 30 && !placed; attempt++)
            {
                x = random.Uniform(0, size - itemSize);
                y = random.Uniform(0, size - itemSize);
                placed = layout.FreeOverlap
                    ? KeepsOthersVisible(scene, x, y, itemSize, layout.MinVisible)
                    : OverlapsLittle(scene, x, y, itemSize);
            }

            var itemIndex = chosen > 0
                ? PickOfClass(ref random, chosenClasses[n])
                : poolStart + random.NextInt(poolCount);
            var luminance = BackgroundLuminanceAt(scene, x + (itemSize / 2), y + (itemSize / 2));
            var (low, high) = luminance > 128 ? (0.0, 110.0) : (150.0, 255.0);
            var blend = PerturbationSampler.Blend(Family, ref shift);
            if (PerturbationSampler.FreeTint(Family, ref shift))
            {
                (low, high) = (0.0, 255.0);
            }

            var item = new SceneItem
            {
                ItemIndex = itemIndex,
                ClassId = items.ClassOf(itemIndex),
                X = x,
                Y = y,
                Size = itemSize,
                VelocityX = random.Uniform(-1.2, 1.2) * size / 224,
                VelocityY = random.Uniform(-1.2, 1.2) * size / 224,
                TintB = random.Uniform(low, high),
                TintG = random.Uniform(low, high),
                TintR = random.Uniform(low, high),
                Opacity = random.Uniform(0.85, 1.0),
                Flip = random.NextDouble() < 0.5,
                Blend = blend,
            };
            if (placed)
            {
                scene.Items[scene.ItemCount++] = item;
            }
        }

        scene.UpdateTruth();
    }

    /// <summary>
    /// Draws the scene as it is <paramref name="timeStep"/> frames after it appeared (items drift and bounce off the
    /// edges) into packed BGR24 <paramref name="bgr"/> of CanvasSize x CanvasSize. <paramref name="noiseStep"/> varies
    /// the sensor noise between frames. <paramref name="scratch"/> holds at least <see cref="ScratchLength"/> floats
    /// and is reused by the caller, so rendering allocates nothing.
    /// </summary>
    public void Render(MultiFashionScene scene, double timeStep, ulong noiseStep, Span<byte> bgr, Span<float> scratch)
    {
        if (bgr.Length < ScratchLength || scratch.Length < ScratchLength)
        {
            throw new ArgumentException($"Canvas buffers hold {bgr.Length} bytes and {scratch.Length} floats, {ScratchLength} needed.");
        }

        var canvas = scratch[..ScratchLength];
        DrawBackground(scene, canvas);
        for (var i = 0; i < scene.ItemCount; i++)
        {
            DrawItem(scene.Items[i], timeStep, canvas);
        }

        var noise = new SceneRandom(SceneRandom.Mix(scene.NoiseSeed, noiseStep));
        var amplitude = scene.NoiseAmplitude;
        for (var p = 0; p < canvas.Length; p++)
        {
            var value = canvas[p] + (amplitude * ((2 * noise.NextDouble()) - 1));
            bgr[p] = (byte)Math.Clamp(Math.Round(value), 0, 255);
        }

        if (scene.Perturbation.ChangesPixels)
        {
            ImageEffects.Apply(scene.Perturbation, bgr, CanvasSize);
        }
    }

    private void DrawBackground(MultiFashionScene scene, Span<float> canvas)
    {
        switch (scene.Perturbation.Background)
        {
            case BackgroundKind.Stripes or BackgroundKind.Checker or BackgroundKind.Blotches:
                Backgrounds.DrawTexture(scene.Perturbation, scene.BackgroundAB, scene.BackgroundAG, scene.BackgroundAR, canvas, CanvasSize);
                return;
            case BackgroundKind.Clutter:
                DrawGradient(scene, canvas);
                Backgrounds.DrawClutter(scene.Perturbation, canvas, CanvasSize);
                return;
            default:
                DrawGradient(scene, canvas);
                return;
        }
    }

    private void DrawGradient(MultiFashionScene scene, Span<float> canvas)
    {
        var side = CanvasSize;
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                var t = GradientPosition(scene, x + 0.5, y + 0.5);
                var offset = ((y * side) + x) * 3;
                canvas[offset] = (float)(scene.BackgroundAB + ((scene.BackgroundBB - scene.BackgroundAB) * t));
                canvas[offset + 1] = (float)(scene.BackgroundAG + ((scene.BackgroundBG - scene.BackgroundAG) * t));
                canvas[offset + 2] = (float)(scene.BackgroundAR + ((scene.BackgroundBR - scene.BackgroundAR) * t));
            }
        }
    }

    private void DrawItem(in SceneItem item, double timeStep, Span<float> canvas)
    {
        var side = CanvasSize;
        var left = Bounce(item.X + (item.VelocityX * timeStep), side - item.Size);
        var top = Bounce(item.Y + (item.VelocityY * timeStep), side - item.Size);
        var image = items.Image(item.ItemIndex);
        var scale = FashionMnist.Side / item.Size;
        var x0 = Math.Max(0, (int)Math.Floor(left));
        var y0 = Math.Max(0, (int)Math.Floor(top));
        var x1 = Math.Min(side, (int)Math.Ceiling(left + item.Size));
        var y1 = Math.Min(side, (int)Math.Ceiling(top + item.Size));
        for (var y = y0; y < y1; y++)
        {
            var v = ((y + 0.5 - top) * scale) - 0.5;
            for (var x = x0; x < x1; x++)
            {
                var u = ((x + 0.5 - left) * scale) - 0.5;
                if (item.Flip)
                {
                    u = FashionMnist.Side - 1 - u;
                }

                var shade = SampleBilinear(image, u, v) / 255.0;
                var alpha = Math.Min(1.0, shade * 2.5) * item.Opacity;
                if (alpha <= 0)
                {
                    continue;
                }

                var light = 0.35 + (0.65 * shade);
                var offset = ((y * side) + x) * 3;
                if (item.Blend == BlendMode.Translucent)
                {
                    alpha *= 0.6;
                }

                canvas[offset] = Composite(item.Blend, canvas[offset], item.TintB * light, alpha);
                canvas[offset + 1] = Composite(item.Blend, canvas[offset + 1], item.TintG * light, alpha);
                canvas[offset + 2] = Composite(item.Blend, canvas[offset + 2], item.TintR * light, alpha);
            }
        }
    }

    private static float Composite(BlendMode blend, float below, double colour, double alpha)
    {
        var mixed = blend switch
        {
            BlendMode.Multiply => below * colour / 255,
            BlendMode.Lighten => Math.Max(below, colour),
            _ => colour,
        };
        return (float)((below * (1 - alpha)) + (mixed * alpha));
    }

    private int PickOfClass(ref SceneRandom random, int classId)
    {
        var pool = poolByClass[classId];
        return pool[random.NextInt(pool.Length)];
    }

    private static double SampleBilinear(ReadOnlySpan<byte> image, double u, double v)
    {
        const int side = FashionMnist.Side;
        var xf = Math.Floor(u);
        var yf = Math.Floor(v);
        var fx = u - xf;
        var fy = v - yf;
        var xi = (int)xf;
        var yi = (int)yf;
        return (Pixel(image, xi, yi) * (1 - fx) * (1 - fy)) + (Pixel(image, xi + 1, yi) * fx * (1 - fy))
            + (Pixel(image, xi, yi + 1) * (1 - fx) * fy) + (Pixel(image, xi + 1, yi + 1) * fx * fy);

        static double Pixel(ReadOnlySpan<byte> image, int x, int y) =>
            (uint)x < side && (uint)y < side ? image[(y * side) + x] : 0;
    }

    /// <summary>Reflects a position into [0, range] so drifting items bounce off the canvas edges.</summary>
    private static double Bounce(double position, double range)
    {
        if (range <= 0)
        {
            return 0;
        }

        var period = 2 * range;
        var p = position % period;
        if (p < 0)
        {
            p += period;
        }

        return p > range ? period - p : p;
    }

    private double GradientPosition(MultiFashionScene scene, double x, double y)
    {
        var centre = CanvasSize / 2.0;
        var along = (((x - centre) * scene.GradientCos) + ((y - centre) * scene.GradientSin)) / (CanvasSize * 0.7072);
        return Math.Clamp((along * 0.5) + 0.5, 0, 1);
    }

    private double BackgroundLuminanceAt(MultiFashionScene scene, double x, double y)
    {
        var t = GradientPosition(scene, x, y);
        var b = scene.BackgroundAB + ((scene.BackgroundBB - scene.BackgroundAB) * t);
        var g = scene.BackgroundAG + ((scene.BackgroundBG - scene.BackgroundAG) * t);
        var r = scene.BackgroundAR + ((scene.BackgroundBR - scene.BackgroundAR) * t);
        return (0.114 * b) + (0.587 * g) + (0.299 * r);
    }

    /// <summary>Whether an item at (x, y) of side <paramref name="size"/>, drawn over the scene's items, leaves every one of
    /// them at least <paramref name="minVisible"/> of its box uncovered.</summary>
    private static bool KeepsOthersVisible(MultiFashionScene scene, double x, double y, double size, double minVisible)
    {
        var count = scene.ItemCount;
        if (count >= MultiFashionScene.MaxItems)
        {
            return false;
        }

        scene.Items[count] = new SceneItem { X = x, Y = y, Size = size };
        for (var i = 0; i < count; i++)
        {
            if (scene.VisibleShare(i, count + 1) < minVisible)
            {
                return false;
            }
        }

        return true;
    }

    private static bool OverlapsLittle(MultiFashionScene scene, double x, double y, double size)
    {
        for (var i = 0; i < scene.ItemCount; i++)
        {
            ref readonly var other = ref scene.Items[i];
            var overlapX = Math.Min(x + size, other.X + other.Size) - Math.Max(x, other.X);
            var overlapY = Math.Min(y + size, other.Y + other.Size) - Math.Max(y, other.Y);
            if (overlapX > 0 && overlapY > 0)
            {
                var smaller = Math.Min(size, other.Size);
                if (overlapX * overlapY > 0.2 * smaller * smaller)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
