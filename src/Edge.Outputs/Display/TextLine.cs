using System.Globalization;

namespace Edge.Outputs.Display;

/// <summary>Appends text and numbers to one fixed-width screen line, cutting whatever does not fit; allocates nothing.</summary>
internal ref struct TextLine(Span<char> cells)
{
    private readonly Span<char> cells = cells;

    public int Length { get; private set; }

    public void Append(scoped ReadOnlySpan<char> text)
    {
        var fitting = Math.Min(text.Length, cells.Length - Length);
        text[..fitting].CopyTo(cells[Length..]);
        Length += fitting;
    }

    public void Append(long value)
    {
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
        Append(digits[..written]);
    }

    /// <summary>One decimal below 100, none from there on, so large values keep the line short.</summary>
    public void AppendCompact(double value)
    {
        if (double.IsNaN(value))
        {
            Append("-");
            return;
        }

        Span<char> digits = stackalloc char[32];
        value.TryFormat(digits, out var written, Math.Abs(value) < 100 ? "F1" : "F0", CultureInfo.InvariantCulture);
        Append(digits[..written]);
    }
}
