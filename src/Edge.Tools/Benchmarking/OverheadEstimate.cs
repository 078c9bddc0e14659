using System.Globalization;
using Edge.Runtime.Pipeline;

namespace Edge.Tools.Benchmarking;

/// <summary>
/// End-to-end over bare inference on like-for-like samples. Bare inference is never cancelled, so its percentiles
/// cover every run, slow ones included; the pipeline's published frames leave out exactly the slow ones (cancelled at
/// the deadline, or stale before they started). Here every frame the pipeline took counts: one that gave up
/// contributes "at least its deadline" (a right-censored sample, sorted after every completed one). A percentile that
/// lands on a completed frame no slower than the fastest give-up is exact; one that lands on or past a give-up is only
/// a lower bound, and the ratio is flagged as such.
/// </summary>
public sealed record OverheadEstimate
{
    /// <summary>Frames the pipeline took (published, late, withheld, cancelled or stale; skipped ones are not).</summary>
    public required long Frames { get; init; }

    /// <summary>Frames given up at or past their deadline (cancelled or stale): their latency is only bounded below.</summary>
    public required long Censored { get; init; }

    public required double EndToEndP50 { get; init; }

    public required double EndToEndP99 { get; init; }

    public required double BareP50 { get; init; }

    public required double BareP99 { get; init; }

    public required bool P50Exact { get; init; }

    public required bool P99Exact { get; init; }

    public double RatioP50 => EndToEndP50 / BareP50;

    public double RatioP99 => EndToEndP99 / BareP99;

    /// <summary>Why a ratio is not to be trusted as an equality, or null when both are exact.</summary>
    public string? Warning => (P50Exact, P99Exact) switch
    {
        (true, true) => null,
        (true, false) => string.Create(CultureInfo.InvariantCulture, $"{Censored} of {Frames} frames missed the deadline (cancelled or stale): end-to-end p99 is at least {EndToEndP99:F2} ms, so overhead_ratio_p99 is a lower bound"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Censored} of {Frames} frames missed the deadline (cancelled or stale): end-to-end p50 and p99 are only lower bounds, so both overhead ratios are lower bounds; raise --budget-ms to measure overhead"),
    };

    /// <param name="timeline">Every frame the pipeline took, with its outcome and latency.</param>
    /// <param name="bare">Every bare inference of the same variant.</param>
    /// <param name="budgetMs">The end-to-end budget: a stale frame was at least this old when it was dropped.</param>
    public static OverheadEstimate Of(FrameTimeline timeline, IReadOnlyList<double> bare, double budgetMs)
    {
        var completed = new List<double>(timeline.Count);
        var censored = 0L;
        var lowestBound = double.PositiveInfinity;
        for (var i = 0; i < timeline.Count; i++)
        {
            switch (timeline.Outcome(i))
            {
                case FrameOutcome.Published or FrameOutcome.PublishedLate or FrameOutcome.Withheld:
                    completed.Add(timeline.EndToEndMs(i));
                    break;
                case FrameOutcome.Cancelled:
                    censored++;
                    lowestBound = Math.Min(lowestBound, Math.Min(timeline.EndToEndMs(i), budgetMs));
                    break;
                case FrameOutcome.DroppedStale:
                    censored++;
                    lowestBound = Math.Min(lowestBound, budgetMs);
                    break;
            }
        }

        completed.Sort();
        var frames = completed.Count + censored;
        var (p50, p50Exact) = CensoredPercentile(completed, frames, 0.50, lowestBound);
        var (p99, p99Exact) = CensoredPercentile(completed, frames, 0.99, lowestBound);
        var bareSummary = LatencySummary.Of([.. bare]);
        return new OverheadEstimate
        {
            Frames = frames,
            Censored = censored,
            EndToEndP50 = p50,
            EndToEndP99 = p99,
            BareP50 = bareSummary.P50,
            BareP99 = bareSummary.P99,
            P50Exact = p50Exact,
            P99Exact = p99Exact,
        };
    }

    /// <summary>
    /// Nearest-rank percentile with give-ups sorted last. Exact when the rank falls on a completed sample no larger
    /// than the lowest give-up bound; otherwise that bound (or the sample, if larger) as a lower bound.
    /// </summary>
    private static (double Value, bool Exact) CensoredPercentile(List<double> sortedCompleted, long frames, double q, double lowestBound)
    {
        if (frames == 0)
        {
            return (double.NaN, true);
        }

        var rank = (int)Math.Clamp(Math.Ceiling(q * frames) - 1, 0, frames - 1);
        if (rank < sortedCompleted.Count)
        {
            var value = sortedCompleted[rank];
            return (value, value <= lowestBound);
        }

        var largestCompleted = sortedCompleted.Count == 0 ? double.NegativeInfinity : sortedCompleted[^1];
        return (Math.Max(lowestBound, largestCompleted), false);
    }
}
