using System.Globalization;
using System.Text;

namespace Edge.Testing;

/// <summary>
/// Looks samples up in a Prometheus exposition by their full series (<c>name{labels}</c>), whatever order the
/// exporter wrote the labels in.
/// </summary>
internal static class Exposition
{
    public static string[] Lines(string exposition)
    {
        Assert.EndsWith("\n", exposition, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", exposition, StringComparison.Ordinal);
        return exposition[..^1].Split('\n');
    }

    /// <summary>The value of one series; fails when it is missing or repeated.</summary>
    public static string Value(string exposition, string series)
    {
        var wanted = Canonical(series);
        var matches = Samples(exposition).Where(sample => sample.Series == wanted).ToArray();
        Assert.True(matches.Length == 1, $"expected one sample of {series}, found {matches.Length}");
        return matches[0].Value;
    }

    public static double Number(string exposition, string series) => double.Parse(Value(exposition, series), CultureInfo.InvariantCulture);

    public static bool Has(string exposition, string name) =>
        Lines(exposition).Any(line => line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal));

    /// <summary>Every sample as its canonical series (labels sorted by name) and its value.</summary>
    public static IEnumerable<(string Series, string Value)> Samples(string exposition)
    {
        foreach (var line in Lines(exposition).Where(line => line.Length > 0 && !line.StartsWith('#')))
        {
            var end = line.Contains('{', StringComparison.Ordinal) ? line.LastIndexOf('}') + 1 : line.IndexOf(' ', StringComparison.Ordinal);
            yield return (Canonical(line[..end]), line[(end + 1)..].Split(' ')[0]);
        }
    }

    /// <summary><c>name{b="2",a="1"}</c> as <c>name{a="1",b="2"}</c>, <c>name{}</c> as <c>name</c>; label values stay escaped as written.</summary>
    public static string Canonical(string series)
    {
        var open = series.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            return series;
        }

        var labels = new List<string>();
        var i = open + 1;
        while (series[i] != '}')
        {
            var equals = series.IndexOf('=', i);
            var label = new StringBuilder(series[i..(equals + 2)]);
            for (i = equals + 2; series[i] != '"'; i++)
            {
                label.Append(series[i]);
                if (series[i] == '\\')
                {
                    label.Append(series[++i]);
                }
            }

            labels.Add(label.Append('"').ToString());
            i++;
            if (series[i] == ',')
            {
                i++;
            }
        }

        labels.Sort(StringComparer.Ordinal);
        return labels.Count == 0 ? series[..open] : $"{series[..open]}{{{string.Join(',', labels)}}}";
    }
}
