namespace Edge.Runtime.Budget;

/// <summary>
/// The end-to-end latency budget: deadline = capture time + budget. A frame already past its deadline when the
/// pipeline reaches it is dropped before any work; one that finishes late is published marked as missed.
/// (Cancelling late inference and degrading on misses plug in here.)
/// </summary>
public sealed class FrameBudget
{
    private readonly long budgetTicks;

    public FrameBudget(double budgetMs, TimeProvider time)
    {
        if (!(budgetMs > 0) || double.IsInfinity(budgetMs))
        {
            throw new ArgumentOutOfRangeException(nameof(budgetMs), $"budget is {budgetMs} ms, expected a positive number");
        }

        BudgetMs = budgetMs;
        budgetTicks = (long)(budgetMs * time.TimestampFrequency / 1000.0);
    }

    public double BudgetMs { get; }

    public long DeadlineOf(long capturedAt) => capturedAt + budgetTicks;

    /// <summary>True when the frame's deadline has already passed at <paramref name="now"/>.</summary>
    public bool IsStale(long capturedAt, long now) => now > DeadlineOf(capturedAt);

    public bool IsMet(long capturedAt, long finishedAt) => finishedAt <= DeadlineOf(capturedAt);
}
