namespace Edge.Runtime.Tests.TestSupport;

/// <summary>
/// A monotonic clock that moves forward by a fixed step just before every read (once <see cref="Start"/> was called), so each
/// pipeline stage appears to take exactly that long. Frequency: 10 MHz (ticks).
/// </summary>
internal sealed class SteppingTimeProvider(TimeSpan step) : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);
    private long now;
    private bool stepping;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>The current reading, without advancing.</summary>
    public long Now => now;

    public override long GetTimestamp()
    {
        if (stepping)
        {
            now += step.Ticks;
        }

        return now;
    }

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(now);

    /// <summary>From now on every <see cref="GetTimestamp"/> advances the clock by the step.</summary>
    public void Start() => stepping = true;
}

/// <summary>
/// A clock moved only by <see cref="Advance"/>, whose timers are real ones (the base <see cref="TimeProvider"/>'s):
/// unlike FakeTimeProvider's, re-arming them allocates nothing, so allocation tests can use it. Frequency: 10 MHz.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);
    private long now = TimeSpan.TicksPerDay;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Volatile.Read(ref now);

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(Volatile.Read(ref now));

    public void Advance(TimeSpan by) => Interlocked.Add(ref now, by.Ticks);
}
