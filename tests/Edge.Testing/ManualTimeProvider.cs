namespace Edge.Testing;

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
