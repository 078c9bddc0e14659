namespace Edge.Runtime.Pipeline;

/// <summary>
/// How many of the frames waiting for one session go into its next batch. The frames come ordered by deadline,
/// earliest first; the batch takes them in that order and grows only while the predicted latency of the larger batch
/// still ends by the earliest deadline among its members that can be met at all. A frame that cannot meet its deadline
/// even alone does not hold the batch back (its stream's miss policy decides about it before the batch is formed).
/// </summary>
public static class BatchPlanner
{
    /// <summary>Whether a frame with this deadline misses it even in a batch of its own started at <paramref name="now"/>.</summary>
    public static bool Hopeless(long deadline, long now, BatchLatencyModel model, long ticksPerSecond) =>
        now + Ticks(model.Predict(1), ticksPerSecond) > deadline;

    /// <param name="deadlines">The waiting frames' deadlines (timestamps), earliest first.</param>
    /// <returns>The batch size: at least 1 when a frame waits, at most <see cref="BatchLatencyModel.MaxBatch"/>.</returns>
    public static int Size(ReadOnlySpan<long> deadlines, long now, BatchLatencyModel model, long ticksPerSecond)
    {
        if (deadlines.IsEmpty)
        {
            return 0;
        }

        var limit = Math.Min(deadlines.Length, model.MaxBatch);
        var size = 1;
        var binding = Hopeless(deadlines[0], now, model, ticksPerSecond) ? long.MaxValue : deadlines[0];
        while (size < limit)
        {
            var next = deadlines[size];
            var nextBinding = binding == long.MaxValue && !Hopeless(next, now, model, ticksPerSecond) ? next : binding;
            if (nextBinding != long.MaxValue && now + Ticks(model.Predict(size + 1), ticksPerSecond) > nextBinding)
            {
                break;
            }

            binding = nextBinding;
            size++;
        }

        return size;
    }

    private static long Ticks(double milliseconds, long ticksPerSecond) => (long)(milliseconds * ticksPerSecond / 1000.0);
}
