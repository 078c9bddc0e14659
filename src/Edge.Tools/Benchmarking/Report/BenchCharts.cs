using Edge.Tools.Charts;
using OpenCvSharp;
using static System.FormattableString;
using static Edge.Tools.Charts.ChartStyle;

namespace Edge.Tools.Benchmarking.Report;

/// <summary>The latency distribution charts of a bench report: every series' CDF on one chart, and a histogram per series.</summary>
internal static class BenchCharts
{
    public const int CdfWidth = 960, CdfHeight = 540;
    public const int HistogramColumns = 4, PanelWidth = 300, PanelHeight = 220, HistogramTop = 36;
    public const int HistogramBins = 40;

    /// <summary>Latency spans (max / min) wider than this get a log axis: on a linear one the fast stages would all sit at 0.</summary>
    public const double LogScaleSpan = 50;

    private const int CdfPoints = 2000;
    private static readonly Scalar BudgetColor = SeriesColor(3);

    public static void LatencyCdf(string path, string title, IReadOnlyList<LatencySeries> series, double budgetMs)
    {
        using var image = new Mat(CdfHeight, CdfWidth, MatType.CV_8UC3, Paper);
        var x = CdfAxis(series, budgetMs);
        var plot = new PlotArea(image, new Rect(70, 60, CdfWidth - 330, CdfHeight - 120), x, Axis.Linear(0, 1, 5));
        Text(image, title, 10, 24, 0.55);
        plot.DrawAxes(x.Logarithmic ? "latency (ms, log scale)" : "latency (ms, linear scale)", "fraction of samples <= x");
        foreach (var one in series.Where(s => s.Count > 0))
        {
            Cv2.Polylines(image, [CdfLine(plot, one)], isClosed: false, one.Color, one.Emphasised ? 3 : 2, LineTypes.AntiAlias);
        }

        if (series.All(s => s.Count == 0))
        {
            plot.Note("no samples");
        }

        if (double.IsFinite(budgetMs) && budgetMs > 0)
        {
            var caption = Invariant($"budget {budgetMs:0.###} ms");
            plot.VerticalMarker(budgetMs, BudgetColor, caption);
            if (!x.Contains(budgetMs))
            {
                Text(image, caption + " (off the axis)", plot.Frame.Left, plot.Frame.Top - 24, 0.4, BudgetColor);
            }
        }

        Legend(image, plot.Frame.Right + 15, plot.Frame.Top + 10, series);
        Save(image, path);
    }

    public static (int Width, int Height) HistogramSize(int seriesCount) =>
        (HistogramColumns * PanelWidth, HistogramTop + (PanelHeight * ((seriesCount / HistogramColumns) + 1)));

    /// <summary>One panel per series, plus one cell explaining how to read them.</summary>
    public static void LatencyHistograms(string path, string title, IReadOnlyList<LatencySeries> series)
    {
        var (width, height) = HistogramSize(series.Count);
        using var image = new Mat(height, width, MatType.CV_8UC3, Paper);
        Text(image, title, 10, 24, 0.55);
        for (var i = 0; i <= series.Count; i++)
        {
            var cell = new Rect(i % HistogramColumns * PanelWidth, HistogramTop + (i / HistogramColumns * PanelHeight), PanelWidth, PanelHeight);
            if (i < series.Count)
            {
                HistogramPanel(image, cell, series[i]);
            }
            else
            {
                Text(image, Invariant($"{HistogramBins} bins from the fastest sample"), cell.X + 20, cell.Y + 50, 0.42);
                Text(image, "to p99.9; how many slower ones are", cell.X + 20, cell.Y + 70, 0.42);
                Text(image, "left out is under the x axis", cell.X + 20, cell.Y + 90, 0.42);
                Text(image, "dashed: p50 (black), p99 (red)", cell.X + 20, cell.Y + 120, 0.42);
            }
        }

        Save(image, path);
    }

    private static void HistogramPanel(Mat image, Rect cell, LatencySeries series)
    {
        var frame = new Rect(cell.X + 55, cell.Y + 46, cell.Width - 75, cell.Height - 91);
        if (series.Count == 0)
        {
            Text(image, series.Name + " (no samples)", cell.X + 10, cell.Y + 20, 0.45);
            var empty = new PlotArea(image, frame, Axis.Linear(0, 1, 4), Axis.Linear(0, 1, 2));
            empty.DrawAxes("ms", "samples");
            empty.Note("no samples");
            return;
        }

        var lower = series.Sorted[0];
        var upper = Math.Max(series.Summary.P999, lower + Math.Max(Math.Abs(lower) * 0.1, 1e-3));
        var binWidth = (upper - lower) / HistogramBins;
        var counts = new int[HistogramBins];
        var above = 0;
        foreach (var value in series.Sorted)
        {
            if (value > upper)
            {
                above++;
                continue;
            }

            counts[Math.Min((int)((value - lower) / binWidth), HistogramBins - 1)]++;
        }

        Text(image, Invariant($"{series.Name} (n={series.Count})"), cell.X + 10, cell.Y + 20, 0.45);
        var plot = new PlotArea(image, frame, Axis.Linear(lower, upper, 4), Axis.Linear(0, counts.Max(), 3));
        plot.DrawAxes(above > 0 ? Invariant($"ms ({above} above {upper:0.##} not shown)") : "ms", "samples");
        for (var bin = 0; bin < HistogramBins; bin++)
        {
            if (counts[bin] > 0)
            {
                var left = plot.X(lower + (bin * binWidth));
                var right = Math.Max(plot.X(lower + ((bin + 1) * binWidth)) - 1, left + 1);
                Cv2.Rectangle(image, new Point(left, plot.Y(counts[bin])), new Point(right, plot.Y(0)), series.Color, -1);
            }
        }

        plot.VerticalMarker(series.Summary.P50, Ink, Invariant($"p50 {series.Summary.P50:0.###}"));
        plot.VerticalMarker(series.Summary.P99, BudgetColor, Invariant($"p99 {series.Summary.P99:0.###}"), captionRow: 1);
    }

    /// <summary>
    /// Log or linear by the samples' span; the budget is taken into the range where that does not squeeze the samples
    /// into a corner (within 2x of the slowest sample on a linear axis, 20x on a log one).
    /// </summary>
    internal static Axis CdfAxis(IReadOnlyList<LatencySeries> series, double budgetMs)
    {
        var filled = series.Where(s => s.Count > 0).ToArray();
        var hasBudget = double.IsFinite(budgetMs) && budgetMs > 0;
        if (filled.Length == 0)
        {
            return Axis.Linear(0, hasBudget ? budgetMs : 1, 6);
        }

        var slowest = filled.Max(s => s.Sorted[^1]);
        var fastestPositive = filled.SelectMany(s => s.Sorted).Where(v => v > 0).DefaultIfEmpty(slowest).Min();
        var logarithmic = fastestPositive > 0 && slowest / fastestPositive > LogScaleSpan;
        var reach = logarithmic ? 20 : 2;
        var withBudget = hasBudget && budgetMs <= slowest * reach && budgetMs >= fastestPositive / reach;
        var high = withBudget ? Math.Max(slowest, budgetMs) : slowest;
        return logarithmic
            ? Axis.Log(withBudget ? Math.Min(fastestPositive, budgetMs) : fastestPositive, high)
            : Axis.Linear(0, high, 6);
    }

    /// <summary>The empirical CDF from 0 at the fastest sample, thinned to at most <see cref="CdfPoints"/> ranks.</summary>
    private static Point[] CdfLine(PlotArea plot, LatencySeries series)
    {
        var n = series.Count;
        var points = Math.Min(n, CdfPoints);
        var line = new Point[points + 1];
        line[0] = plot.At(series.Sorted[0], 0);
        for (var k = 0; k < points; k++)
        {
            var rank = points == n ? k : (int)Math.Round((double)k * (n - 1) / (points - 1));
            line[k + 1] = plot.At(series.Sorted[rank], (rank + 1.0) / n);
        }

        return line;
    }

    private static void Legend(Mat image, int x, int y, IReadOnlyList<LatencySeries> series)
    {
        for (var i = 0; i < series.Count; i++)
        {
            var one = series[i];
            var row = y + (i * 24);
            Cv2.Line(image, new Point(x, row), new Point(x + 24, row), one.Color, one.Emphasised ? 3 : 2);
            Text(image, one.Count == 0 ? one.Name + " (none)" : Invariant($"{one.Name} (n={one.Count})"), x + 32, row + 5, 0.45);
        }
    }
}
