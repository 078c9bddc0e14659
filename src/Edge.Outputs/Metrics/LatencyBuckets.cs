namespace Edge.Outputs.Metrics;

/// <summary>
/// The upper bounds (seconds) of every latency histogram, advised to exporters with the instruments
/// (<c>InstrumentAdvice.HistogramBucketBoundaries</c>): from 0.1 ms to 1 s. Budgets lie between about 30 and 150 ms
/// (33 ms at 30 fps, 50, 66, 100 ms), where a percentile read from the buckets must be close to the measured one:
/// there the steps are at most 7 % (mostly 4-5 %), at most 10 % from 10 to 200 ms, 1 ms below 10 ms (preprocessing,
/// inference of small models), and coarse outside. One fixed set, so histograms of different devices and budgets add
/// up in Prometheus.
/// </summary>
public static class LatencyBuckets
{
    private static readonly double[] Bounds = Milliseconds(
        0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9,
        10, 11, 12, 13, 14, 15, 16.5, 18, 19, 20, 22, 24, 26, 28,
        30, 32, 34, 36, 38, 40, 42, 44, 46, 48, 50, 52.5, 55, 57.5, 60, 63, 66, 70, 73, 76, 80, 84, 88, 92, 96,
        100, 105, 110, 115, 120, 126, 132, 138, 144, 150,
        160, 175, 190, 200, 225, 250, 300, 400, 500, 750, 1000);

    public static IReadOnlyList<double> Seconds { get; } = Array.AsReadOnly(Bounds);

    private static double[] Milliseconds(params double[] milliseconds)
    {
        var seconds = new double[milliseconds.Length];
        for (var i = 0; i < seconds.Length; i++)
        {
            seconds[i] = milliseconds[i] / 1000;
        }

        return seconds;
    }
}
