namespace Edge.Camera.Synthetic;

/// <summary>
/// SplitMix64: a tiny, fully specified generator. Scenes must be identical on every .NET version and machine,
/// which <see cref="Random"/> does not promise for a given seed.
/// </summary>
internal struct SceneRandom
{
    private ulong state;

    public SceneRandom(ulong seed)
    {
        state = seed;
    }

    public static ulong Mix(ulong a, ulong b, ulong c = 0)
    {
        var generator = new SceneRandom(a * 0x9E3779B97F4A7C15UL ^ Scramble(b + 0x632BE59BD9B4E019UL) ^ Scramble(c + 0x85157AF5UL));
        return generator.NextUInt64();
    }

    public ulong NextUInt64()
    {
        state += 0x9E3779B97F4A7C15UL;
        return Scramble(state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Uniform integer in [0, bound).</summary>
    public int NextInt(int bound) => (int)((NextUInt64() >> 33) * (ulong)bound >> 31);

    private static ulong Scramble(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
