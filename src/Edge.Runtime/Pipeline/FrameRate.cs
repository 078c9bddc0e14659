namespace Edge.Runtime.Pipeline;

/// <summary>
/// Events per second over the last <see cref="WindowSeconds"/> whole seconds: counted per second of the clock on the
/// frame thread (a division and an increment, no allocation), read from any thread (a status request). A read while
/// the frame thread moves on to the next second may be off by the frames of that second; it is a rate for people.
/// </summary>
public sealed class FrameRate
{
    public const int WindowSeconds = 5;

    // One slot per second of the window, plus the second being counted.
    private readonly long[] counts = new long[WindowSeconds + 1];
    private readonly long[] seconds = new long[WindowSeconds + 1];
    private long firstSecond = -1;

    /// <summary>One event at <paramref name="timestamp"/> (a <see cref="TimeProvider"/> timestamp of <paramref name="frequency"/> ticks per second).</summary>
    public void Record(long timestamp, long frequency)
    {
        var second = timestamp / frequency;
        var slot = (int)(second % counts.Length);
        if (Volatile.Read(ref seconds[slot]) != second)
        {
            Volatile.Write(ref counts[slot], 0);
            Volatile.Write(ref seconds[slot], second);
        }

        Volatile.Write(ref counts[slot], counts[slot] + 1);
        if (Volatile.Read(ref firstSecond) < 0)
        {
            Volatile.Write(ref firstSecond, second);
        }
    }

    /// <summary>
    /// Events per second over the whole seconds before <paramref name="now"/>'s: the last <see cref="WindowSeconds"/>,
    /// or fewer when counting began more recently; 0 before a whole second has passed.
    /// </summary>
    public double PerSecond(long now, long frequency)
    {
        var current = now / frequency;
        var first = Volatile.Read(ref firstSecond);
        var window = first < 0 ? 0 : Math.Min(WindowSeconds, current - first);
        if (window <= 0)
        {
            return 0;
        }

        long total = 0;
        for (var slot = 0; slot < counts.Length; slot++)
        {
            var second = Volatile.Read(ref seconds[slot]);
            if (second < current && second >= current - window)
            {
                total += Volatile.Read(ref counts[slot]);
            }
        }

        return (double)total / window;
    }
}
