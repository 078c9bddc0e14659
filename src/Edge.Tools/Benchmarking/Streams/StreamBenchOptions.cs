using System.Globalization;

namespace Edge.Tools.Benchmarking.Streams;

/// <summary>
/// What <c>edge bench --streams</c> runs: the single-stream bench's settings (model, source, budget, policy, frames,
/// duration, warm-up) and the stream counts, rates and batch limit.
/// </summary>
public sealed record StreamBenchOptions
{
    /// <summary>The bench settings every stream count runs with; its first variant is the model under test.</summary>
    public required BenchOptions Bench { get; init; }

    /// <summary>The stream counts to run, in order; more than one compares them in one run.</summary>
    public required IReadOnlyList<int> StreamCounts { get; init; }

    /// <summary>Frames per second offered by each stream (stream i plays at <c>Rates[i % Rates.Count]</c>); empty: <see cref="BenchOptions.Rate"/> for all.</summary>
    public IReadOnlyList<double> Rates { get; init; } = [];

    /// <summary>The most frames one batch may take; 0: the bundle's maximum (as <c>max_batch</c> for <c>edge run</c>).</summary>
    public int MaxBatch { get; init; }

    /// <summary>The most streams a run may have (<c>max_streams</c>).</summary>
    public int MaxStreams { get; init; } = 16;

    /// <summary>Bare batched runs per batch size used, split before and after the measurement so drift hits both sides.</summary>
    public int BareRuns { get; init; } = 60;

    /// <summary>The rate stream <paramref name="index"/> plays at, 0 for as fast as it is taken.</summary>
    public double RateOf(int index) => Rates.Count == 0 ? Bench.Rate : Rates[index % Rates.Count];

    /// <summary>True when every stream is paced (the measured window is then a fixed time, not a frame count).</summary>
    public bool Paced => Rates.Count == 0 ? Bench.Rate > 0 : Rates.All(rate => rate > 0);

    /// <summary>
    /// Parses <c>--streams</c>: one count (<c>4</c>) or a comma-separated list to compare (<c>1,2,4,8</c>), each from
    /// 1 to <paramref name="maxStreams"/>, none twice.
    /// </summary>
    public static IReadOnlyList<int> ParseCounts(string text, int maxStreams)
    {
        var counts = new List<int>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                throw new FormatException($"--streams '{text}' has '{item}': expected stream counts from 1 to {maxStreams}, comma-separated (e.g. 4 or 1,2,4,8)");
            }

            if (count < 1 || count > maxStreams)
            {
                throw new FormatException($"--streams '{text}' asks for {count} streams: expected 1 to {maxStreams} (max_streams)");
            }

            if (counts.Contains(count))
            {
                throw new FormatException($"--streams '{text}' names {count} twice: expected each stream count once");
            }

            counts.Add(count);
        }

        return counts;
    }

    /// <summary>Parses <c>--rates</c>: frames per second per stream (<c>30,30,15,15</c>), each 0.1 to 10000, or max.</summary>
    public static IReadOnlyList<double> ParseRates(string text)
    {
        var rates = new List<double>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (item.Equals("max", StringComparison.OrdinalIgnoreCase))
            {
                rates.Add(0);
            }
            else if (double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out var fps) && fps >= 0.1 && fps <= 10_000)
            {
                rates.Add(fps);
            }
            else
            {
                throw new FormatException($"--rates '{text}' has '{item}': expected max or frames per second from 0.1 to 10000 per stream, comma-separated (e.g. 30,30,15,15)");
            }
        }

        return rates;
    }

    /// <summary>
    /// The source stream <paramref name="index"/> plays: a synthetic source without a seed gets seed
    /// <paramref name="index"/> + 1, so the streams show different frames; any other source is played by every stream.
    /// </summary>
    public static string SourceOf(string source, int index)
    {
        if (!source.StartsWith("synthetic", StringComparison.OrdinalIgnoreCase) || source.Contains("seed=", StringComparison.OrdinalIgnoreCase))
        {
            return source;
        }

        return source + (source.Contains('?', StringComparison.Ordinal) ? "&" : "?") + $"seed={index + 1}";
    }
}
