using System.Diagnostics;
using Edge.Runtime.Pipeline;
using Edge.Tools.Charts;
using OpenCvSharp;
using static System.FormattableString;
using static Edge.Tools.Charts.ChartStyle;

namespace Edge.Tools.Benchmarking.Report;

/// <summary>The end-to-end latency of every recorded frame against its capture time, marked by outcome.</summary>
internal static class TimelineChart
{
    public const int Width = 1100, Height = 520;

    private static readonly Scalar OnTime = SeriesColor(0);
    private static readonly Scalar Late = SeriesColor(1);
    private static readonly Scalar Missed = SeriesColor(3);
    private static readonly Scalar Dropped = new(30, 30, 140);
    private static readonly Scalar Skipped = SeriesColor(7);
    private static readonly Scalar BlockBoundary = new(240, 232, 222);

    public static void Draw(string path, string title, FrameTimeline timeline, IReadOnlyList<int> blockStarts, double budgetMs)
    {
        using var image = new Mat(Height, Width, MatType.CV_8UC3, Paper);
        Text(image, title, 10, 24, 0.55);
        var hasBudget = double.IsFinite(budgetMs) && budgetMs > 0;
        var first = timeline.Count > 0 ? timeline.CapturedAt(0) : 0;
        var seconds = new double[timeline.Count];
        var slowest = 0.0;
        for (var i = 0; i < timeline.Count; i++)
        {
            seconds[i] = (timeline.CapturedAt(i) - first) / (double)Stopwatch.Frequency;
            slowest = float.IsFinite(timeline.EndToEndMs(i)) ? Math.Max(slowest, timeline.EndToEndMs(i)) : slowest;
        }

        var top = Math.Max(slowest, hasBudget ? budgetMs * 1.1 : 0);
        var plot = new PlotArea(
            image,
            new Rect(70, 80, Width - 100, Height - 150),
            Axis.Linear(0, seconds.Length > 1 && seconds[^1] > 0 ? seconds.Max() : 1, 8),
            Axis.Linear(0, top > 0 ? top : 1, 5));
        plot.DrawAxes("time since the first frame (s)", "end-to-end latency (ms)");
        foreach (var start in blockStarts.Skip(1).Where(start => start < timeline.Count))
        {
            Cv2.Line(image, new Point(plot.X(seconds[start]), plot.Frame.Top + 1), new Point(plot.X(seconds[start]), plot.Frame.Bottom - 1), BlockBoundary);
        }

        if (hasBudget)
        {
            plot.HorizontalMarker(budgetMs, Missed, Invariant($"budget {budgetMs:0.###} ms"));
        }

        // Misses are drawn last so that a cloud of on-time frames cannot hide them.
        var tally = new int[Enum.GetValues<FrameOutcome>().Length];
        foreach (var misses in new[] { false, true })
        {
            for (var i = 0; i < timeline.Count; i++)
            {
                var outcome = timeline.Outcome(i);
                var missed = outcome is FrameOutcome.PublishedLate or FrameOutcome.Cancelled or FrameOutcome.Withheld;
                if (missed != misses)
                {
                    continue;
                }

                tally[(int)outcome]++;
                var latency = timeline.EndToEndMs(i);
                var y = float.IsFinite(latency) ? latency : (hasBudget ? budgetMs : 0);
                Mark(image, outcome, new Point(plot.X(seconds[i]), plot.Y(y)), plot.Frame.Bottom);
            }
        }

        DrawLegend(image, plot.Frame.Left, tally);
        if (timeline.Count == 0)
        {
            plot.Note("no frames recorded");
        }

        if (timeline.Overflow > 0)
        {
            Text(image, Invariant($"{timeline.Overflow} later frames not shown: the timeline was full"), plot.Frame.Left, Height - 12, 0.45, Missed);
        }

        Save(image, path);
    }

    /// <summary>Published frames are dots at their latency, misses crosses; frames never processed are ticks up from <paramref name="axisY"/>.</summary>
    private static void Mark(Mat image, FrameOutcome outcome, Point at, int axisY)
    {
        switch (outcome)
        {
            case FrameOutcome.Published:
                Cv2.Circle(image, at, 1, OnTime, -1);
                break;
            case FrameOutcome.PublishedLate:
                Cv2.Circle(image, at, 2, Late, -1);
                break;
            case FrameOutcome.DroppedStale:
                Cv2.Line(image, new Point(at.X, axisY), new Point(at.X, axisY - 7), Dropped);
                break;
            case FrameOutcome.Skipped:
                Cv2.Line(image, new Point(at.X, axisY), new Point(at.X, axisY - 4), Skipped);
                break;
            default:
                Cv2.DrawMarker(image, at, Missed, MarkerTypes.Cross, 8, 1);
                break;
        }
    }

    private static void DrawLegend(Mat image, int left, int[] tally)
    {
        (FrameOutcome Glyph, string Caption)[] entries =
        [
            (FrameOutcome.Published, Invariant($"on time ({tally[(int)FrameOutcome.Published]})")),
            (FrameOutcome.PublishedLate, Invariant($"late ({tally[(int)FrameOutcome.PublishedLate]})")),
            (FrameOutcome.Cancelled, Invariant($"cancelled ({tally[(int)FrameOutcome.Cancelled]}) / withheld ({tally[(int)FrameOutcome.Withheld]})")),
            (FrameOutcome.DroppedStale, Invariant($"dropped stale ({tally[(int)FrameOutcome.DroppedStale]})")),
            (FrameOutcome.Skipped, Invariant($"skipped ({tally[(int)FrameOutcome.Skipped]})")),
        ];
        var x = left;
        const int row = 50;
        foreach (var (glyph, caption) in entries)
        {
            Mark(image, glyph, new Point(x + 4, row), row + 4);
            Text(image, caption, x + 14, row + 5, 0.45);
            x += TextWidth(caption, 0.45) + 34;
        }
    }
}
