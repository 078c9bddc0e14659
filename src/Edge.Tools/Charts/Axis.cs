using System.Globalization;

namespace Edge.Tools.Charts;

/// <summary>
/// The value range of one chart axis, widened to round tick values: linear in steps of 1, 2 or 5 times a power of
/// ten, or logarithmic from one power of ten to another.
/// </summary>
internal readonly struct Axis
{
    private readonly double step;

    private Axis(double min, double max, double step, bool logarithmic)
    {
        Min = min;
        Max = max;
        this.step = step;
        Logarithmic = logarithmic;
    }

    public double Min { get; }

    public double Max { get; }

    public bool Logarithmic { get; }

    /// <summary>A linear axis covering <paramref name="min"/>..<paramref name="max"/> with about <paramref name="ticks"/> intervals.</summary>
    public static Axis Linear(double min, double max, int ticks)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            (min, max) = (0, 1);
        }

        if (!(max > min))
        {
            // A single value still needs a visible range around it.
            var pad = Math.Max(Math.Abs(min) * 0.1, 1e-3);
            (min, max) = (min - pad, max + pad);
        }

        var rough = (max - min) / ticks;
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = (rough / power) switch
        {
            <= 1 => power,
            <= 2 => 2 * power,
            <= 5 => 5 * power,
            _ => 10 * power,
        };
        return new Axis(Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step, logarithmic: false);
    }

    /// <summary>A logarithmic axis from the power of ten at or below <paramref name="min"/> (positive) to the one at or above <paramref name="max"/>.</summary>
    public static Axis Log(double min, double max)
    {
        var low = Math.Floor(Math.Log10(min));
        var high = Math.Max(Math.Ceiling(Math.Log10(max)), low + 1);
        return new Axis(Math.Pow(10, low), Math.Pow(10, high), 10, logarithmic: true);
    }

    /// <summary>Where <paramref name="value"/> lies along the axis, 0 at <see cref="Min"/> to 1 at <see cref="Max"/>, clamped.</summary>
    public double Fraction(double value)
    {
        var fraction = Logarithmic
            ? (value <= 0 ? 0 : Math.Log10(value / Min) / Math.Log10(Max / Min))
            : (value - Min) / (Max - Min);
        return double.IsNaN(fraction) ? 0 : Math.Clamp(fraction, 0, 1);
    }

    public bool Contains(double value) => value >= Min && value <= Max;

    public IEnumerable<double> Ticks()
    {
        if (Logarithmic)
        {
            for (var tick = Min; tick <= Max * 1.0001; tick *= 10)
            {
                yield return tick;
            }

            yield break;
        }

        // Counting steps rather than adding them keeps rounding errors from piling up.
        var count = (int)Math.Round((Max - Min) / step);
        for (var i = 0; i <= count; i++)
        {
            yield return Min + (i * step);
        }
    }

    public string Label(double tick)
    {
        var decimals = Logarithmic ? -Math.Floor(Math.Log10(tick)) : -Math.Floor(Math.Log10(step));
        return tick.ToString("F" + Math.Clamp((int)decimals, 0, 9), CultureInfo.InvariantCulture);
    }
}
