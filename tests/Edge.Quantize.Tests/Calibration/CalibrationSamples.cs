namespace Edge.Quantize.Tests.Calibration;

/// <summary>Seeded samples from distributions whose quantiles are known in closed form.</summary>
internal static class CalibrationSamples
{
    /// <summary>Normal(0, sigma) by Box–Muller.</summary>
    public static float[] Gaussian(int seed, int count, double sigma)
    {
        var random = new Random(seed);
        var samples = new float[count];
        for (var i = 0; i < count; i++)
        {
            var radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            samples[i] = (float)(sigma * radius * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return samples;
    }

    /// <summary>Laplace(0, scale): |x| is exponential with mean <paramref name="scale"/>.</summary>
    public static float[] Laplace(int seed, int count, double scale)
    {
        var random = new Random(seed);
        var samples = new float[count];
        for (var i = 0; i < count; i++)
        {
            var magnitude = -scale * Math.Log(1 - random.NextDouble());
            samples[i] = (float)(random.Next(2) == 0 ? magnitude : -magnitude);
        }

        return samples;
    }

    /// <summary>Uniform on [-amax, amax).</summary>
    public static float[] Uniform(int seed, int count, double amax)
    {
        var random = new Random(seed);
        var samples = new float[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = (float)(((random.NextDouble() * 2) - 1) * amax);
        }

        return samples;
    }
}
