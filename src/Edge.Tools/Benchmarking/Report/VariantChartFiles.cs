using System.Text;

namespace Edge.Tools.Benchmarking.Report;

/// <summary>The chart file names of one variant, prefixed <c>v{N}-{slug}-</c> so that every variant's files sort together.</summary>
internal sealed record VariantChartFiles(string LatencyCdf, string LatencyHistogram, string Timeline)
{
    private const int MaxSlugLength = 48;

    /// <param name="index">The variant's position in the run, from 0; it keeps names unique where slugs collide.</param>
    public static VariantChartFiles For(int index, string variantName)
    {
        var prefix = $"v{index + 1}-{Slug(variantName)}-";
        return new VariantChartFiles(prefix + "latency-cdf.png", prefix + "latency-histogram.png", prefix + "timeline.png");
    }

    public IEnumerable<string> All => [LatencyCdf, LatencyHistogram, Timeline];

    /// <summary>
    /// Lower-case ASCII letters and digits, every other run of characters (path separators, '@', spaces) one dash:
    /// safe on any file system and in a Markdown link without escaping.
    /// </summary>
    internal static string Slug(string name)
    {
        var slug = new StringBuilder(name.Length);
        foreach (var character in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(character))
            {
                slug.Append(character);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var text = slug.ToString(0, Math.Min(slug.Length, MaxSlugLength)).TrimEnd('-');
        return text.Length == 0 ? "variant" : text;
    }
}
