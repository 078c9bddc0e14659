namespace Edge.Runtime.Pipeline;

/// <summary>
/// What a batch of n frames costs on one session, from the first frame's preprocessing to the last frame's decode:
/// per batch size an exponentially weighted mean and variance of the measured latency, predicting a high quantile
/// (mean + 1.28 standard deviations, about the p90 of a normal spread). Seeded at warm-up, updated after every batch,
/// so it follows the machine's load. A size never measured is extrapolated from the nearest measured smaller one as if
/// a batch cost as much per frame (an upper bound, since batching is what makes frames cheaper).
/// </summary>
public sealed class BatchLatencyModel
{
    private const double QuantileSpread = 1.2816;

    private readonly double[] mean;
    private readonly double[] variance;
    private readonly long[] samples;
    private readonly double weight;

    /// <param name="weight">How much one new measurement moves the estimate, 0 to 1.</param>
    public BatchLatencyModel(int maxBatch, double weight = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        if (!(weight > 0 && weight <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "expected a weight above 0 and at most 1");
        }

        MaxBatch = maxBatch;
        this.weight = weight;
        mean = new double[maxBatch];
        variance = new double[maxBatch];
        samples = new long[maxBatch];
    }

    public int MaxBatch { get; }

    /// <summary>Batches of this size measured so far.</summary>
    public long Samples(int size) => samples[size - 1];

    /// <param name="restart">Forget what was measured for this size before (a probe measuring afresh).</param>
    public void Record(int size, double milliseconds, bool restart = false)
    {
        var i = size - 1;
        if (restart)
        {
            samples[i] = 0;
        }

        if (samples[i]++ == 0)
        {
            mean[i] = milliseconds;
            variance[i] = 0;
            return;
        }

        // West's incremental form of the exponentially weighted mean and variance; the first few measurements are
        // averaged plainly, so one slow warm-up run does not weigh on the estimate for long.
        var difference = milliseconds - mean[i];
        var increment = Math.Max(weight, 1.0 / samples[i]) * difference;
        mean[i] += increment;
        variance[i] = (1 - Math.Max(weight, 1.0 / samples[i])) * (variance[i] + (difference * increment));
    }

    /// <summary>The predicted latency of a batch of <paramref name="size"/> in ms; 0 before anything was measured.</summary>
    public double Predict(int size)
    {
        for (var known = size; known >= 1; known--)
        {
            if (samples[known - 1] > 0)
            {
                var quantile = mean[known - 1] + (QuantileSpread * Math.Sqrt(variance[known - 1]));
                return quantile * size / known;
            }
        }

        return 0;
    }
}
