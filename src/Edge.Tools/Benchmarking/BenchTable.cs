using System.Globalization;
using Edge.Runtime.Budget;
using Edge.Runtime.Inference;

namespace Edge.Tools.Benchmarking;

/// <summary>The terminal summary of a bench run: environment, one block per variant, ratios between variants.</summary>
public static class BenchTable
{
    public static void Print(TextWriter output, BenchResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var options = result.Options;
        output.WriteLine(string.Create(c, $"edge bench: rate {(options.Rate == 0 ? "max" : options.Rate.ToString(c) + " fps")}, source {Edge.Camera.Sources.SourceSpec.MaskCredentials(options.Source)} ({result.FrameSize.Width}x{result.FrameSize.Height}), budget {options.BudgetMs} ms, miss policy {options.MissPolicy.Name()}, warm-up {options.WarmUpFrames} frames, blocks of {options.BlockFrames}, cpu spin {options.CpuSpin.Name()}"));
        foreach (var (key, value) in result.Environment.Describe())
        {
            output.WriteLine($"  {key,-16}{value}");
        }

        foreach (var v in result.Variants)
        {
            output.WriteLine();
            output.WriteLine(string.Create(c, $"[{v.Name}] {v.ModelName} ({v.Precision}) on {v.Ep}: session {v.SessionCreateMs:F0} ms, first inference {v.FirstInferenceMs:F1} ms"));
            output.WriteLine("  latency (ms)      p50      p90      p99    p99.9      max     mean");
            foreach (var (stage, summary) in v.Stages)
            {
                Row(output, stage.ToString().ToLowerInvariant(), summary);
            }

            Row(output, "end-to-end", v.EndToEnd);
            Row(output, "bare inference", v.Bare);
            var overhead = v.Overhead;
            output.WriteLine(string.Create(c, $"  overhead e2e/bare: p50 {(overhead.P50Exact ? "" : ">=")}{overhead.RatioP50:F3}, p99 {(overhead.P99Exact ? "" : ">=")}{overhead.RatioP99:F3} (over {overhead.Frames} frames taken, {overhead.Censored} missed counted at their deadline); jitter: e2e sd {v.EndToEnd.StdDev:F2} ms, interval sd {v.IntervalStdDevMs:F2} ms"));
            if (overhead.Warning is { } warning)
            {
                output.WriteLine($"  WARNING: {warning}");
            }

            output.WriteLine(string.Create(c, $"  frames {v.Frames}: published {v.Published} ({v.Fps:F1} fps), dropped {v.Dropped}, skipped {v.Skipped}, late {v.Late}, withheld {v.Withheld}, cancelled {v.Cancelled}, missed {v.Missed}"));
            if (v.CancelDelay.Count > 0)
            {
                output.WriteLine(string.Create(c, $"  cancellation after the deadline: p50 {v.CancelDelay.P50:F2} ms, p99 {v.CancelDelay.P99:F2} ms, max {v.CancelDelay.Max:F2} ms"));
            }

            output.WriteLine(string.Create(c, $"  allocated {v.AllocBytesPerFrame:F1} B/frame on the frame path; GC gen0 {v.Gen0}, gen1 {v.Gen1}, gen2 {v.Gen2}, pause {v.GcPauseMs:F1} ms; CPU {v.CpuPercent:F0} % of a core"));
        }

        output.WriteLine();
        output.WriteLine(string.Create(c, $"peak RSS {result.PeakRssMb:F0} MiB, wall {result.WallSeconds:F1} s"));
        if (result.Power is { } power)
        {
            var frames = result.Variants.Sum(v => v.Published);
            output.WriteLine(string.Create(c, $"power {power.TotalMeanWatts:F2} W mean, {power.TotalEnergyJoules:F1} J, {(frames == 0 ? double.NaN : power.TotalEnergyJoules / frames * 1000):F1} mJ per frame"));
        }

        if (result.Variants.Count > 1)
        {
            var baseline = result.Variants[0];
            output.WriteLine($"ratios to [{baseline.Name}]     e2e p50  e2e p99  bare p50      fps");
            foreach (var v in result.Variants.Skip(1))
            {
                output.WriteLine(string.Create(c, $"  {v.Name,-22}{v.EndToEnd.P50 / baseline.EndToEnd.P50,9:F3}{v.EndToEnd.P99 / baseline.EndToEnd.P99,9:F3}{v.Bare.P50 / baseline.Bare.P50,10:F3}{v.Fps / baseline.Fps,9:F3}"));
            }
        }
    }

    private static void Row(TextWriter output, string name, LatencySummary s) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-15}{s.P50,9:F2}{s.P90,9:F2}{s.P99,9:F2}{s.P999,9:F2}{s.Max,9:F2}{s.Mean,9:F2}"));
}
