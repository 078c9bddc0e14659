using System.Globalization;
using Edge.Server.LiveView;

namespace Edge.Tools.Benchmarking.Viewers;

/// <summary>What <c>edge bench --viewers</c> runs: the bench's pipeline settings, the viewer counts to compare and the live view's caps.</summary>
public sealed record ViewerBenchOptions
{
    /// <summary>The most viewers one count may have (the live view's default WebSocket bound is 32).</summary>
    public const int MaxViewers = 32;

    /// <summary>Frames per window when <c>--block</c> is not given: long enough that connecting the viewers between windows is small beside it.</summary>
    public const int DefaultWindowFrames = 100;

    /// <summary>The model, source, rate, budget and frame count (per viewer count); <see cref="BenchOptions.BlockFrames"/> is the window.</summary>
    public required BenchOptions Bench { get; init; }

    /// <summary>Viewer counts, each measured in turn window by window (e.g. 0 and 10); ratios are to the first.</summary>
    public required IReadOnlyList<int> ViewerCounts { get; init; }

    /// <summary>The live view's caps (rate, size, quality) as <c>edge run</c> would use them.</summary>
    public LiveViewOptions View { get; init; } = new();

    /// <summary>Parses <c>--viewers</c>: comma-separated counts from 0 to <see cref="MaxViewers"/>, each once.</summary>
    public static IReadOnlyList<int> ParseCounts(string text)
    {
        var counts = new List<int>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > MaxViewers)
            {
                throw new FormatException($"--viewers '{text}' has '{item}': expected viewer counts from 0 to {MaxViewers}, comma-separated (e.g. 0,10)");
            }

            if (counts.Contains(count))
            {
                throw new FormatException($"--viewers '{text}' names {count} twice: expected each count once");
            }

            counts.Add(count);
        }

        return counts;
    }
}
