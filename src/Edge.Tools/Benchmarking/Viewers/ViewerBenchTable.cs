using System.Globalization;
using Edge.Runtime.Budget;

namespace Edge.Tools.Benchmarking.Viewers;

/// <summary>The terminal summary of <c>edge bench --viewers</c>: per viewer count the published rate, its ratio to the first count, latency and the live view's work.</summary>
public static class ViewerBenchTable
{
    public static void Print(TextWriter output, ViewerBenchResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var options = result.Options;
        var bench = options.Bench;
        var view = options.View;
        output.WriteLine(string.Create(c, $"edge bench --viewers {string.Join(",", options.ViewerCounts)}: {result.ModelName} ({result.Precision}) on {result.Ep}, rate {(bench.Rate == 0 ? "max" : bench.Rate.ToString(c) + " fps")}, source {Edge.Camera.Sources.SourceSpec.MaskCredentials(bench.Source)} ({result.FrameSize.Width}x{result.FrameSize.Height}), budget {bench.BudgetMs} ms, miss policy {bench.MissPolicy.Name()}"));
        output.WriteLine(string.Create(c, $"  live view: up to {view.MaxFps} fps per stream, JPEG quality {view.JpegQuality}, at most {view.MaxWidth}x{view.MaxHeight}; windows of {bench.BlockFrames} frames, counts taking turns; with viewers, one of them never reads"));
        foreach (var (key, value) in result.Environment.Describe())
        {
            output.WriteLine($"  {key,-16}{value}");
        }

        output.WriteLine();
        output.WriteLine("  viewers  windows   frames  published      fps   ratio   p50 ms   p99 ms   cpu %   jpeg/s  fps/reader  stalled sent  stalled missed");
        var first = result.Counts[0];
        foreach (var count in result.Counts)
        {
            output.WriteLine(string.Create(c, $"  {count.Viewers,7}{count.Windows,9}{count.Frames,9}{count.Published,11}{count.Fps,9:F1}{count.Fps / first.Fps,8:F3}{count.EndToEnd.P50,9:F2}{count.EndToEnd.P99,9:F2}{count.CpuPercent,8:F0}{count.JpegPerSecond,9:F1}{count.FpsPerReader,12:F1}{count.StalledSent,14}{count.StalledMissed,16}"));
        }

        foreach (var count in result.Counts.Skip(1))
        {
            var ratio = count.Fps / first.Fps;
            output.WriteLine(string.Create(c, $"published fps with {count.Viewers} viewer{(count.Viewers == 1 ? "" : "s")}{(count.Viewers > 0 ? " (one stalled)" : "")} vs {first.Viewers}: {ratio:F3} ({(ratio - 1) * 100:+0.0;-0.0} %)"));
        }
    }
}
