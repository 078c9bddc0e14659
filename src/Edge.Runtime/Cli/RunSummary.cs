using System.Globalization;
using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Cli;

/// <summary>The end-of-run table on stderr: counts and per-stage latency percentiles.</summary>
internal static class RunSummary
{
    public static void Print(TextWriter output, PipelineStats stats, long overwritten, string executionProvider)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"published {stats.Published}, dropped stale {stats.DroppedStale}, overwritten before use {overwritten}, deadline missed {stats.DeadlineMissed}, ep {executionProvider}"));
        if (stats.TruthFrames > 0)
        {
            output.WriteLine(string.Create(c, $"example-based F1 against synthetic ground truth: {stats.MeanTruthF1:F3} over {stats.TruthFrames} frames"));
        }

        output.WriteLine("stage (ms)      p50      p90      p99      max     mean");
        Row(output, "queue", stats.Queue);
        Row(output, "preprocess", stats.Preprocess);
        Row(output, "inference", stats.Inference);
        Row(output, "decode", stats.Decode);
        Row(output, "total", stats.Total);
    }

    private static void Row(TextWriter output, string name, LatencyRecorder recorder) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-12}{recorder.Percentile(0.5),9:F2}{recorder.Percentile(0.9),9:F2}{recorder.Percentile(0.99),9:F2}{recorder.Percentile(1),9:F2}{recorder.Mean(),9:F2}"));
}
