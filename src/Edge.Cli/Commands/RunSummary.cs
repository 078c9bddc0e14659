using System.Globalization;
using Edge.Runtime.Budget;
using Edge.Runtime.Pipeline;

namespace Edge.Cli.Commands;

/// <summary>The end-of-run table on stderr: counts and per-stage latency percentiles.</summary>
internal static class RunSummary
{
    /// <param name="missed">When given, a run that ends in a stretch without a met deadline (one long enough to have
    /// been warned about, or the whole run) says so.</param>
    public static void Print(TextWriter output, FramePipeline pipeline, long overwritten, string executionProvider, MissedDeadlineWatch? missed = null)
    {
        var c = CultureInfo.InvariantCulture;
        var stats = pipeline.Stats;
        var predicted = stats.PredictedMisses > 0 ? string.Create(c, $" ({stats.PredictedMisses} predicted to miss before any work)") : "";
        output.WriteLine(string.Create(c, $"published {stats.Published}, dropped stale {stats.DroppedStale}{predicted}, overwritten before use {overwritten}, ep {executionProvider}"));
        output.WriteLine(string.Create(c, $"deadline missed {stats.Missed} (late {stats.Late}, withheld {stats.Withheld}, cancelled {stats.Cancelled}); budget {pipeline.Budget.BudgetMs} ms, miss policy {pipeline.Policy.Name()}"));
        if (missed?.Current is { } stretch && (missed.Warnings > 0 || !missed.AnyMet))
        {
            var when = missed.AnyMet ? $"in the last {stretch.Duration.TotalSeconds:F1} s of the run" : "in the whole run";
            output.WriteLine(string.Create(c, $"no frame met its deadline {when}: {stretch.Frames} frames ({stretch.Cancelled} cancelled, {stretch.Late} late, {stretch.Withheld} withheld, {stretch.DroppedStale} dropped stale); the budget may be below what this model takes here; --frames counts published label sets only"));
        }

        if (pipeline.Policy == MissPolicy.Degrade)
        {
            output.WriteLine(string.Create(c, $"degraded {stats.Degradations} times, recovered {stats.Recoveries} times, ended at level {pipeline.Level} ({pipeline.Head.Name}); skipped {stats.Skipped} frames"));
        }

        if (stats.TruthFrames > 0)
        {
            output.WriteLine(string.Create(c, $"example-based F1 against synthetic ground truth: {stats.MeanTruthF1:F3} over {stats.TruthFrames} frames"));
        }

        output.WriteLine("stage (ms)      p50      p90      p99      max     mean");
        foreach (var stage in Enum.GetValues<PipelineStage>())
        {
            Row(output, stage.ToString().ToLowerInvariant(), stats.Stage(stage));
        }

        Row(output, "end-to-end", stats.EndToEnd);
    }

    /// <summary>How often the camera or stream was lost and reopened; nothing when it never was.</summary>
    public static void PrintCamera(TextWriter output, long lost, long reconnected, long attempts)
    {
        if (lost > 0 || reconnected > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"camera: lost {Times(lost)}, reconnected {Times(reconnected)} ({attempts} reopen attempts)"));
        }
    }

    /// <summary>Per session: how many batches of each size ran, and what the scheduler predicted for each size.</summary>
    public static void PrintBatches(TextWriter output, BatchScheduler scheduler)
    {
        var c = CultureInfo.InvariantCulture;
        for (var i = 0; i < scheduler.Sessions.Count; i++)
        {
            var model = scheduler.LatencyModels[i];
            var sizes = string.Join(", ", Enumerable.Range(1, model.MaxBatch).Where(size => scheduler.Batches(i, size) > 0).Select(size => string.Create(c, $"{size}: {scheduler.Batches(i, size)} (predicted {model.Predict(size):F1} ms)")));
            output.WriteLine(string.Create(c, $"batches on session {i + 1} (up to {model.MaxBatch}): {(sizes.Length == 0 ? "none" : sizes)}"));
        }
    }

    private static string Times(long count) => count == 1 ? "1 time" : string.Create(CultureInfo.InvariantCulture, $"{count} times");

    private static void Row(TextWriter output, string name, LatencyRecorder recorder) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-12}{recorder.Percentile(0.5),9:F2}{recorder.Percentile(0.9),9:F2}{recorder.Percentile(0.99),9:F2}{recorder.Percentile(1),9:F2}{recorder.Mean(),9:F2}"));
}
