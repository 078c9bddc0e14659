using OpenCvSharp;

namespace Edge.Camera.Synthetic.Perturbations;

/// <summary>
/// The pixel-level part of a scene's perturbation, applied to the rendered BGR24 canvas in the order a camera
/// produces them: optics (defocus, motion blur), exposure and white balance (lighting, tint), sensor noise, then
/// encoding (JPEG). Used when writing datasets; it allocates OpenCV buffers, so the live synthetic camera does not call it.
/// </summary>
internal static class ImageEffects
{
    public static unsafe void Apply(in ScenePerturbation shift, Span<byte> bgr, int side)
    {
        var length = side * side * 3;
        fixed (byte* pixels = bgr)
        {
            using var image = Mat.FromPixelData(side, side, MatType.CV_8UC3, (IntPtr)pixels);
            if (shift.DefocusRadius > 0)
            {
                using var kernel = DiskKernel(shift.DefocusRadius);
                Cv2.Filter2D(image, image, -1, kernel, borderType: BorderTypes.Reflect101);
            }

            if (shift.MotionLength > 0)
            {
                using var kernel = LineKernel(shift.MotionLength, shift.MotionAngle);
                Cv2.Filter2D(image, image, -1, kernel, borderType: BorderTypes.Reflect101);
            }

            if (shift.ChangesTone)
            {
                Tone(shift, bgr[..length]);
            }

            if (shift.NoiseSigma > 0 || shift.SaltPepper > 0)
            {
                Noise(shift, bgr[..length]);
            }

            if (shift.JpegQuality > 0)
            {
                Cv2.ImEncode(".jpg", image, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, shift.JpegQuality));
                using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Color);
                decoded.CopyTo(image);
            }
        }
    }

    private static void Tone(in ScenePerturbation shift, Span<byte> bgr)
    {
        Span<byte> tables = stackalloc byte[3 * 256];
        Span<double> cast = [shift.CastB, shift.CastG, shift.CastR];
        Span<double> offset = [shift.OffsetB, shift.OffsetG, shift.OffsetR];
        for (var channel = 0; channel < 3; channel++)
        {
            for (var value = 0; value < 256; value++)
            {
                var tinted = Math.Clamp((value * cast[channel]) + offset[channel], 0, 255);
                var exposed = (Math.Pow(tinted / 255, shift.Gamma) * 255) - 128;
                var result = (exposed * shift.Contrast) + 128 + shift.Brightness;
                tables[(channel * 256) + value] = (byte)Math.Clamp(Math.Round(result), 0, 255);
            }
        }

        for (var p = 0; p < bgr.Length; p += 3)
        {
            bgr[p] = tables[bgr[p]];
            bgr[p + 1] = tables[256 + bgr[p + 1]];
            bgr[p + 2] = tables[512 + bgr[p + 2]];
        }
    }

    private static void Noise(in ScenePerturbation shift, Span<byte> bgr)
    {
        var random = new SceneRandom(shift.NoiseSeed);
        for (var p = 0; p < bgr.Length; p += 3)
        {
            if (shift.SaltPepper > 0 && random.NextDouble() < shift.SaltPepper)
            {
                var value = random.NextDouble() < 0.5 ? (byte)0 : (byte)255;
                bgr[p] = bgr[p + 1] = bgr[p + 2] = value;
                continue;
            }

            for (var c = 0; c < 3; c++)
            {
                bgr[p + c] = (byte)Math.Clamp(Math.Round(bgr[p + c] + (shift.NoiseSigma * Gaussian(ref random))), 0, 255);
            }
        }
    }

    /// <summary>Box-Muller: one standard normal sample from the scene's own generator.</summary>
    private static double Gaussian(ref SceneRandom random)
    {
        var u = 1 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    private static Mat DiskKernel(double radius)
    {
        var half = (int)Math.Ceiling(radius);
        var side = (2 * half) + 1;
        var kernel = new Mat(side, side, MatType.CV_32FC1, Scalar.All(0));
        var total = 0.0;
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                // Coverage of the pixel by the disk, estimated on a 4x4 grid, so small radii still blur smoothly.
                var covered = 0;
                for (var sy = 0; sy < 4; sy++)
                {
                    for (var sx = 0; sx < 4; sx++)
                    {
                        var dx = x - half + ((sx + 0.5) / 4) - 0.5;
                        var dy = y - half + ((sy + 0.5) / 4) - 0.5;
                        covered += (dx * dx) + (dy * dy) <= radius * radius ? 1 : 0;
                    }
                }

                kernel.Set(y, x, covered / 16f);
                total += covered / 16.0;
            }
        }

        kernel.ConvertTo(kernel, MatType.CV_32FC1, 1 / total);
        return kernel;
    }

    private static Mat LineKernel(double length, double angle)
    {
        var half = (int)Math.Ceiling(length / 2);
        var side = (2 * half) + 1;
        var line = new Mat(side, side, MatType.CV_32FC1, Scalar.All(0));
        var dx = Math.Cos(angle) * length / 2;
        var dy = Math.Sin(angle) * length / 2;
        Cv2.Line(line, new Point((int)Math.Round(half - dx), (int)Math.Round(half - dy)), new Point((int)Math.Round(half + dx), (int)Math.Round(half + dy)), Scalar.All(1), 1, LineTypes.AntiAlias);
        line.ConvertTo(line, MatType.CV_32FC1, 1 / Cv2.Sum(line).Val0);
        return line;
    }
}
