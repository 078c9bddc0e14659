using OpenCvSharp;

namespace Edge.Camera.Synthetic.Perturbations;

/// <summary>Textured and cluttered backgrounds, drawn into the float BGR canvas before the items.</summary>
internal static class Backgrounds
{
    private const double MinShapeShare = 0.05;
    private const double MaxShapeShare = 0.30;

    /// <summary>Replaces the canvas with a two-colour texture: the first colour (B, G, R) and the shift's texture colour.</summary>
    public static void DrawTexture(in ScenePerturbation shift, double firstB, double firstG, double firstR, Span<float> canvas, int side)
    {
        var phases = new SceneRandom(shift.ClutterSeed);
        var phaseA = phases.Uniform(0, 2 * Math.PI);
        var phaseB = phases.Uniform(0, 2 * Math.PI);
        var cycles = 2 * Math.PI * shift.TextureFrequency / side;
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                var along = (x * shift.TextureCos) + (y * shift.TextureSin);
                var across = (y * shift.TextureCos) - (x * shift.TextureSin);
                var t = shift.Background switch
                {
                    BackgroundKind.Stripes => 0.5 + (0.5 * Math.Sin((along * cycles) + phaseA)),
                    BackgroundKind.Checker => Math.Sin((along * cycles) + phaseA) * Math.Sin((across * cycles) + phaseB) > 0 ? 1.0 : 0.0,
                    _ => Blotch((Math.Sin((along * cycles * 0.7) + phaseA) * Math.Sin((across * cycles * 0.9) + phaseB))
                        + (0.5 * Math.Sin(((along + across) * cycles * 1.3) + phaseB))),
                };
                var offset = ((y * side) + x) * 3;
                canvas[offset] = (float)(firstB + ((shift.TextureB - firstB) * t));
                canvas[offset + 1] = (float)(firstG + ((shift.TextureG - firstG) * t));
                canvas[offset + 2] = (float)(firstR + ((shift.TextureR - firstR) * t));
            }
        }
    }

    /// <summary>Draws the shift's distractor shapes (filled or outlined rectangles, ellipses, thick lines) over the canvas.</summary>
    public static unsafe void DrawClutter(in ScenePerturbation shift, Span<float> canvas, int side)
    {
        var random = new SceneRandom(shift.ClutterSeed);
        fixed (float* pixels = canvas)
        {
            using var image = Mat.FromPixelData(side, side, MatType.CV_32FC3, (IntPtr)pixels);
            for (var n = 0; n < shift.ClutterCount; n++)
            {
                var colour = new Scalar(random.Uniform(0, 255), random.Uniform(0, 255), random.Uniform(0, 255));
                var width = (int)(side * random.Uniform(MinShapeShare, MaxShapeShare));
                var height = (int)(side * random.Uniform(MinShapeShare, MaxShapeShare));
                var x = random.NextInt(side);
                var y = random.NextInt(side);
                var thickness = random.NextDouble() < 0.5 ? -1 : 1 + random.NextInt(Math.Max(1, side / 40));
                switch (random.NextInt(3))
                {
                    case 0:
                        Cv2.Rectangle(image, new Rect(x - (width / 2), y - (height / 2), width, height), colour, thickness, LineTypes.AntiAlias);
                        break;
                    case 1:
                        Cv2.Ellipse(image, new Point(x, y), new Size(width / 2, height / 2), random.Uniform(0, 180), 0, 360, colour, thickness, LineTypes.AntiAlias);
                        break;
                    default:
                        var angle = random.Uniform(0, Math.PI);
                        var reach = side * random.Uniform(0.1, 0.45);
                        var dx = (int)(Math.Cos(angle) * reach);
                        var dy = (int)(Math.Sin(angle) * reach);
                        Cv2.Line(image, new Point(x - dx, y - dy), new Point(x + dx, y + dy), colour, Math.Max(1, thickness), LineTypes.AntiAlias);
                        break;
                }
            }
        }
    }

    /// <summary>A soft threshold that turns smooth waves into blotches with short transitions.</summary>
    private static double Blotch(double wave) => Math.Clamp((wave * 3) + 0.5, 0, 1);
}
