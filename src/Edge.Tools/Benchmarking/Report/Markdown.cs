using System.Globalization;
using System.Text;

namespace Edge.Tools.Benchmarking.Report;

/// <summary>The bits of Markdown the bench summary is written with; numbers always in the invariant culture.</summary>
internal static class Markdown
{
    /// <summary>Shown for numbers that do not exist (no samples, a ratio to zero), rather than NaN or infinity.</summary>
    public const string Missing = "–";

    public static void Table(StringBuilder text, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        Row(text, header);
        Row(text, header.Select(_ => "---").ToArray());
        foreach (var row in rows)
        {
            Row(text, row);
        }

        text.AppendLine();
    }

    /// <summary>A table of two columns, setting and value, for key/value facts.</summary>
    public static void Facts(StringBuilder text, string keyHeader, IEnumerable<(string Key, string Value)> facts) =>
        Table(text, [keyHeader, "value"], facts.Select(fact => (IReadOnlyList<string>)[fact.Key, fact.Value]));

    /// <summary>Inline code, for names and paths taken from the command line.</summary>
    public static string Code(string text) => $"`{text.Replace('`', '\'')}`";

    public static string Number(double value, string format = "F2") =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : Missing;

    /// <summary>A number with its unit, or <see cref="Missing"/> alone.</summary>
    public static string Quantity(double value, string format, string unit) =>
        double.IsFinite(value) ? $"{Number(value, format)} {unit}" : Missing;

    /// <summary>Text for an image's alt text, where brackets would end it early.</summary>
    public static string AltText(string text) => text.Replace("[", "(", StringComparison.Ordinal).Replace("]", ")", StringComparison.Ordinal);

    public static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    // A '|' inside a cell would end it, even inside a code span.
    private static void Row(StringBuilder text, IReadOnlyList<string> cells) =>
        text.Append("| ").AppendJoin(" | ", cells.Select(cell => cell.Replace("|", "\\|", StringComparison.Ordinal))).AppendLine(" |");
}
