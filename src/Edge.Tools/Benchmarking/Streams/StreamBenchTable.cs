using System.Globalization;
using Edge.Runtime.Budget;

namespace Edge.Tools.Benchmarking.Streams;

/// <summary>The terminal summary of <c>edge bench --streams</c>: per stream count its streams, batches and totals, then the counts side by side.</summary>
public static class StreamBenchTable
{
    public static void Print(TextWriter output, StreamBenchResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var options = result.Options;
        var bench = options.Bench;
        output.WriteLine(string.Create(c, $"edge bench --streams {string.Join(",", options.StreamCounts)}: {result.ModelName} ({result.Precision}) on {result.Ep}, bundle max batch {result.BundleMaxBatch}, max_batch {(options.MaxBatch == 0 ? "bundle" : options.MaxBatch.ToString(c))}, rate {Rates(options)}, source {Edge.Camera.Sources.SourceSpec.MaskCredentials(bench.Source)} ({result.FrameSize.Width}x{result.FrameSize.Height}), budget {bench.BudgetMs} ms, miss policy {bench.MissPolicy.Name()}"));
        foreach (var (key, value) in result.Environment.Describe())
        {
            output.WriteLine($"  {key,-16}{value}");
        }

        foreach (var run in result.Counts)
        {
            output.WriteLine();
            output.WriteLine(string.Create(c, $"[{run.StreamCount} streams] batch up to {run.MaxBatch}: {run.AggregateFps:F1} fps aggregate over {run.MeasuredSeconds:F1} s, e2e p50 {run.EndToEnd.P50:F2} / p99 {run.EndToEnd.P99:F2} / max {run.EndToEnd.Max:F2} ms, misses {run.Misses}, fairness {run.Fairness:F3}"));
            output.WriteLine("  stream      rate   frames  published      fps   p50 ms   p99 ms   max ms  missed  stale  predicted  overwritten");
            foreach (var s in run.Streams)
            {
                output.WriteLine(string.Create(c, $"  {s.Id,-8}{(s.Rate == 0 ? "max" : s.Rate.ToString("0.#", c)),7}{s.Frames,9}{s.Published,11}{s.Fps,9:F1}{s.EndToEnd.P50,9:F2}{s.EndToEnd.P99,9:F2}{s.EndToEnd.Max,9:F2}{s.Missed,8}{s.DroppedStale,7}{s.PredictedMisses,11}{s.Overwritten,13}"));
            }

            output.WriteLine("  batch   batches  predicted ms  actual ms  bare p50 ms  bare fps");
            foreach (var b in run.BatchSizes.Where(b => b.Batches > 0))
            {
                output.WriteLine(string.Create(c, $"  {b.Size,5}{b.Batches,10}{b.PredictedMs,14:F2}{b.ActualMs,11:F2}{b.Bare.P50,13:F2}{b.BareFps,10:F1}"));
            }

            output.WriteLine(string.Create(c, $"  throughput pipeline/bare batched: {run.ThroughputRatio:F3} ({run.AggregateFps:F1} / {run.BareFps:F1} fps); alloc {run.AllocBytesPerFrame:F1} B/frame (frame thread), players {run.PlayerAllocBytesPerFrame:F1} B/frame; gen0/1/2 {run.Gen0}/{run.Gen1}/{run.Gen2}; cpu {run.CpuPercent:F0} %; working set {run.WorkingSetMb:F0} MB"));
        }

        if (result.Counts.Count > 1)
        {
            var first = result.Counts[0];
            output.WriteLine();
            output.WriteLine(string.Create(c, $"stream counts compared (ratios to {first.StreamCount} stream{(first.StreamCount == 1 ? "" : "s")}):"));
            output.WriteLine("  streams  aggregate fps  ratio   p99 ms  misses  fairness");
            foreach (var run in result.Counts)
            {
                output.WriteLine(string.Create(c, $"  {run.StreamCount,7}{run.AggregateFps,15:F1}{run.AggregateFps / first.AggregateFps,7:F3}{run.EndToEnd.P99,9:F2}{run.Misses,8}{run.Fairness,10:F3}"));
            }
        }
    }

    private static string Rates(StreamBenchOptions options) =>
        options.Rates.Count == 0
            ? (options.Bench.Rate == 0 ? "max" : string.Create(CultureInfo.InvariantCulture, $"{options.Bench.Rate} fps per stream"))
            : string.Join(",", options.Rates.Select(rate => rate == 0 ? "max" : rate.ToString(CultureInfo.InvariantCulture)));
}
