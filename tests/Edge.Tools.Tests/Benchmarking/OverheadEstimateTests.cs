using Edge.Runtime.Budget;
using Edge.Runtime.Decoding;
using Edge.Runtime.Pipeline;
using Edge.Tools.Benchmarking;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tools.Tests.Benchmarking;

/// <summary>
/// The overhead ratio on a real pipeline whose inference time is scripted on a fake clock: the bare side sees the
/// same model times, so an unbiased ratio is exactly 1 whatever the deadline cancels.
/// </summary>
public sealed class OverheadEstimateTests : IDisposable
{
    private const double BudgetMs = 100;

    private readonly PipelineHarness harness = new();
    private readonly FakeTimeProvider time = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public void OverheadRatioP50_SlowFramesCancelledAtTheDeadline_IsNotBiased()
    {
        // 2 frames in 9 take 150 ms (cancelled at 100 ms), the rest 20-40 ms; the model alone takes the same times.
        var inferenceMs = Enumerable.Range(0, 450).Select(i => i % 9 < 2 ? 150 : 20 + (i * 37 % 100 * 0.2)).ToArray();

        var variant = RunPipeline(inferenceMs);

        Assert.True(variant.Cancelled > 90, $"{variant.Cancelled} cancelled");
        Assert.InRange(variant.OverheadRatioP50, 0.999, 1.001);
        Assert.True(variant.Overhead.P50Exact);
    }

    [Fact]
    public void Overhead_P99AmongCancelledFrames_IsFlaggedALowerBoundWithAWarning()
    {
        var inferenceMs = Enumerable.Range(0, 450).Select(i => i % 9 < 2 ? 150 : 20 + (i * 37 % 100 * 0.2)).ToArray();

        var overhead = RunPipeline(inferenceMs).Overhead;

        Assert.Equal(450, overhead.Frames);
        Assert.Equal(100, overhead.Censored);
        Assert.False(overhead.P99Exact);
        Assert.InRange(overhead.EndToEndP99, BudgetMs, BudgetMs + 1);
        Assert.Contains("100 of 450 frames missed the deadline", overhead.Warning, StringComparison.Ordinal);
        Assert.Contains("overhead_ratio_p99 is a lower bound", overhead.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Overhead_NoMisses_IsExactWithoutWarning()
    {
        var inferenceMs = Enumerable.Range(0, 200).Select(i => 20 + (i * 37 % 100 * 0.2)).ToArray();

        var overhead = RunPipeline(inferenceMs).Overhead;

        Assert.Equal(0, overhead.Censored);
        Assert.True(overhead.P50Exact && overhead.P99Exact);
        Assert.Null(overhead.Warning);
        Assert.InRange(overhead.RatioP99, 0.999, 1.001);
    }

    [Fact]
    public void Overhead_MostFramesMissed_BothRatiosAreLowerBounds()
    {
        var inferenceMs = Enumerable.Range(0, 100).Select(i => i % 3 == 0 ? 30.0 : 150).ToArray();

        var overhead = RunPipeline(inferenceMs).Overhead;

        Assert.False(overhead.P50Exact);
        Assert.Contains("both overhead ratios are lower bounds", overhead.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Overhead_StaleFrames_CountAsMissesAtTheBudget()
    {
        var timeline = new FrameTimeline(4);
        timeline.Record(0, 10, FrameOutcome.Published);
        timeline.Record(0, 12, FrameOutcome.Withheld);
        timeline.Record(0, double.NaN, FrameOutcome.DroppedStale);
        timeline.Record(0, double.NaN, FrameOutcome.Skipped);

        var overhead = OverheadEstimate.Of(timeline, [10, 12, 200], BudgetMs);

        Assert.Equal(3, overhead.Frames);
        Assert.Equal(1, overhead.Censored);
        Assert.Equal(12, overhead.EndToEndP50);
        Assert.True(overhead.P50Exact);
        Assert.Equal(BudgetMs, overhead.EndToEndP99);
        Assert.False(overhead.P99Exact);
    }

    [Fact]
    public void TableAndJson_RatioFromMissedFrames_CarryTheWarning()
    {
        var result = SyntheticBench.Result([SyntheticBench.Variant("a", inferenceMs: 10)]);
        var table = new StringWriter();
        using var json = new MemoryStream();

        BenchTable.Print(table, result);
        BenchJson.Write(json, result, TimeProvider.System.GetUtcNow());

        var warning = result.Variants[0].Overhead.Warning;
        Assert.NotNull(warning);
        Assert.Contains("  WARNING: " + warning, table.ToString(), StringComparison.Ordinal);
        Assert.Contains("p99 >=", table.ToString(), StringComparison.Ordinal);
        using var document = System.Text.Json.JsonDocument.Parse(json.ToArray());
        var overhead = document.RootElement.GetProperty("overhead");
        Assert.Equal(warning, overhead.GetProperty("warning").GetString());
        Assert.False(overhead.GetProperty("p99_exact").GetBoolean());
        Assert.Equal(result.Variants[0].OverheadRatioP99, document.RootElement.GetProperty("overhead_ratio_p99").GetDouble(), 3);
    }

    private VariantResult RunPipeline(double[] inferenceMs)
    {
        var timeline = new FrameTimeline(inferenceMs.Length);
        var decoder = new MultiLabelDecoder(harness.Bundle.Labels, harness.Bundle.OutputKind, new DecoderOptions());
        var head = InferenceHead.For("tiny", harness.Bundle, harness.Session, decoder, PipelineHarness.Origin);
        using var pipeline = new FramePipeline(head, [new CountingSink()], new FrameBudget(BudgetMs, time), time, MissPolicy.Flag)
        {
            StageDelay = new ScriptedInferenceTime(time, inferenceMs),
            Timeline = timeline,
        };
        var frame = PipelineHarness.RandomFrame(32, 32, seed: 1);
        foreach (var _ in inferenceMs)
        {
            frame.CapturedAt = time.GetTimestamp();
            pipeline.Process(frame);
        }

        return SyntheticBench.FromRun("scripted", pipeline.Stats, timeline, inferenceMs, BudgetMs) with { Cancelled = pipeline.Stats.Cancelled };
    }

    /// <summary>Inference takes the next scripted time on the fake clock, cut short when the deadline fires.</summary>
    private sealed class ScriptedInferenceTime(FakeTimeProvider time, double[] milliseconds) : IStageDelay
    {
        private int next;

        public void Delay(PipelineStage stage, InferenceWatchdog watchdog)
        {
            if (stage != PipelineStage.Inference)
            {
                return;
            }

            var delay = TimeSpan.FromMilliseconds(milliseconds[next++]);
            var step = TimeSpan.FromMilliseconds(0.25);
            for (var spent = TimeSpan.Zero; spent < delay && !watchdog.WaitForFire(TimeSpan.Zero); spent += step)
            {
                time.Advance(TimeSpan.FromTicks(Math.Min(step.Ticks, (delay - spent).Ticks)));
            }
        }
    }
}
