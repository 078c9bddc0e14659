using Edge.Tools.Benchmarking.Streams;
using Edge.Tools.Charts;
using OpenCvSharp;
using static System.FormattableString;
using static Edge.Tools.Charts.ChartStyle;

namespace Edge.Tools.Benchmarking.Report;

/// <summary>Two panels against the stream count: aggregate throughput (with bare batched inference), and end-to-end p99 with the budget.</summary>
internal static class StreamScalingChart
{
    public const int Width = 1100, Height = 480;

    public static void Draw(string path, StreamBenchResult result)
    {
        using var image = new Mat(Height, Width, MatType.CV_8UC3, Paper);
        Text(image, $"{result.ModelName} ({result.Precision}) on {result.Ep}: aggregate throughput and p99 against streams", 10, 24, 0.55);
        var runs = result.Counts.OrderBy(run => run.StreamCount).ToList();
        var x = Axis.Linear(0, Math.Max(1, runs.Count == 0 ? 1 : runs[^1].StreamCount), Math.Min(8, Math.Max(1, runs.Count == 0 ? 1 : runs[^1].StreamCount)));
        var fps = runs.Select(run => run.AggregateFps).Concat(runs.Select(run => run.BareFps)).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        var throughput = new PlotArea(image, new Rect(70, 70, 440, Height - 140), x, Axis.Linear(0, fps * 1.1, 5));
        throughput.DrawAxes("streams", "aggregate label sets / s");
        Series(image, throughput, runs, run => run.AggregateFps, 0, "pipeline");
        Series(image, throughput, runs, run => run.BareFps, 1, "bare batched");

        var budget = result.Options.Bench.BudgetMs;
        var p99 = runs.Select(run => run.EndToEnd.P99).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        var latency = new PlotArea(image, new Rect(620, 70, 440, Height - 140), x, Axis.Linear(0, Math.Max(p99, budget) * 1.1, 5));
        latency.DrawAxes("streams", "end-to-end p99 (ms)");
        Series(image, latency, runs, run => run.EndToEnd.P99, 0, "p99");
        latency.HorizontalMarker(budget, SeriesColor(3), Invariant($"budget {budget:0.###} ms"));
        if (runs.Count == 0)
        {
            throughput.Note("no runs");
            latency.Note("no runs");
        }

        Save(image, path);
    }

    private static void Series(Mat image, PlotArea plot, List<StreamCountResult> runs, Func<StreamCountResult, double> value, int colorIndex, string caption)
    {
        var color = SeriesColor(colorIndex);
        var points = runs.Where(run => double.IsFinite(value(run))).Select(run => plot.At(run.StreamCount, value(run))).ToArray();
        if (points.Length > 1)
        {
            Cv2.Polylines(image, [points], isClosed: false, color, 2, LineTypes.AntiAlias);
        }

        foreach (var point in points)
        {
            Cv2.Circle(image, point, 4, color, -1, LineTypes.AntiAlias);
        }

        Text(image, caption, plot.Frame.Left + 10, plot.Frame.Top + 16 + (colorIndex * 18), 0.45, color);
    }
}
