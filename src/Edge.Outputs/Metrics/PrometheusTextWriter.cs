using System.Globalization;
using System.Text;

namespace Edge.Outputs.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: <c># HELP</c> and <c># TYPE</c> lines per family, then
/// one <c>name{label="value",...} value</c> line per sample, every line ending in a line feed.
/// </summary>
internal sealed class PrometheusTextWriter(TextWriter output)
{
    public void Family(string name, string type, string help)
    {
        output.Write("# HELP ");
        output.Write(name);
        output.Write(' ');
        output.Write(EscapeHelp(help));
        output.Write('\n');
        output.Write("# TYPE ");
        output.Write(name);
        output.Write(' ');
        output.Write(type);
        output.Write('\n');
    }

    public void Sample(string name, long value, params ReadOnlySpan<(string Name, string Value)> labels) =>
        Sample(name, value.ToString(CultureInfo.InvariantCulture), labels);

    public void Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels) =>
        Sample(name, FormatValue(value), labels);

    /// <summary>Shortest round-trip form, with the format's spellings of the non-finite values.</summary>
    public static string FormatValue(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Label values may hold anything; backslash, double quote and line feed must be escaped.</summary>
    public static string EscapeLabelValue(string value)
    {
        if (value.AsSpan().IndexOfAny("\\\"\n") < 0)
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => escaped.Append(@"\\"),
                '"' => escaped.Append("\\\""),
                '\n' => escaped.Append(@"\n"),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    /// <summary>Help text escapes backslash and line feed only (a double quote is literal there).</summary>
    public static string EscapeHelp(string help) => help.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    private void Sample(string name, string value, ReadOnlySpan<(string Name, string Value)> labels)
    {
        output.Write(name);
        if (labels.Length > 0)
        {
            output.Write('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    output.Write(',');
                }

                output.Write(labels[i].Name);
                output.Write("=\"");
                output.Write(EscapeLabelValue(labels[i].Value));
                output.Write('"');
            }

            output.Write('}');
        }

        output.Write(' ');
        output.Write(value);
        output.Write('\n');
    }
}
