namespace Edge.Camera.Capture;

/// <summary>
/// How the capture loop waits between attempts to reopen a lost source: <see cref="InitialDelay"/>, multiplied by
/// <see cref="Factor"/> after each failed attempt up to <see cref="MaxDelay"/>, back to the start after a good frame.
/// </summary>
public sealed record ReconnectPolicy
{
    public static ReconnectPolicy Default { get; } = new();

    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(0.5);

    public double Factor { get; init; } = 2;

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Reopen attempts allowed without a good frame in between; null retries forever.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>The wait before attempt <paramref name="attempt"/> (1-based) since the last good frame.</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(attempt);
        var delay = InitialDelay.TotalMilliseconds * Math.Pow(Factor, attempt - 1);
        return delay >= MaxDelay.TotalMilliseconds ? MaxDelay : TimeSpan.FromMilliseconds(delay);
    }

    internal void Validate()
    {
        if (InitialDelay < TimeSpan.Zero || MaxDelay < InitialDelay)
        {
            throw new ArgumentException($"ReconnectPolicy delays must satisfy 0 <= InitialDelay <= MaxDelay (got {InitialDelay} and {MaxDelay}).");
        }

        if (!(Factor >= 1) || double.IsInfinity(Factor))
        {
            throw new ArgumentException($"ReconnectPolicy.Factor must be a finite number >= 1 (got {Factor}).");
        }

        if (MaxAttempts is <= 0)
        {
            throw new ArgumentException($"ReconnectPolicy.MaxAttempts must be positive or null (got {MaxAttempts}).");
        }
    }
}
