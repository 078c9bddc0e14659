using System.Globalization;
using Edge.Outputs.Metrics;

namespace Edge.Testing;

/// <summary>Renders metrics and looks samples up by their full series (<c>name{labels}</c>).</summary>
internal static class Exposition
{
    public static string Render(RuntimeMetrics metrics)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        metrics.WriteTo(text);
        return text.ToString();
    }

    public static string[] Lines(string exposition)
    {
        Assert.EndsWith("\n", exposition, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", exposition, StringComparison.Ordinal);
        return exposition[..^1].Split('\n');
    }

    /// <summary>The value of one series; fails when it is missing or repeated.</summary>
    public static string Value(string exposition, string series)
    {
        var matches = Lines(exposition).Where(line => line.StartsWith(series + " ", StringComparison.Ordinal)).ToArray();
        Assert.True(matches.Length == 1, $"expected one sample of {series}, found {matches.Length}");
        return matches[0][(series.Length + 1)..];
    }

    public static bool Has(string exposition, string name) =>
        Lines(exposition).Any(line => line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal));
}
