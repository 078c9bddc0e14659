using Edge.Runtime.Budget;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Testing;

/// <summary>
/// The injectable slow stage on a fake clock: a stage "takes" its configured time by advancing the clock. Advancing
/// past an armed deadline fires the watchdog's timer on the spot, as the real timer would mid-inference, and
/// the inference stage then ends within a quarter millisecond.
/// </summary>
internal sealed class FakeSlowStage(FakeTimeProvider time) : IStageDelay
{
    public Dictionary<PipelineStage, TimeSpan> Delays { get; } = [];

    public void Delay(PipelineStage stage, InferenceWatchdog watchdog)
    {
        if (!Delays.TryGetValue(stage, out var delay))
        {
            return;
        }

        // In steps, stopping when the deadline fires, as a terminated inference returns early.
        var step = TimeSpan.FromMilliseconds(0.25);
        for (var spent = TimeSpan.Zero; spent < delay && !watchdog.WaitForFire(TimeSpan.Zero); spent += step)
        {
            time.Advance(step);
        }
    }
}

/// <summary>Makes one stage take <see cref="Delay"/> on a <see cref="ManualTimeProvider"/> (allocation-free).</summary>
internal sealed class ManualSlowStage(ManualTimeProvider time, PipelineStage slowStage) : IStageDelay
{
    public TimeSpan Delay { get; set; }

    void IStageDelay.Delay(PipelineStage stage, InferenceWatchdog watchdog)
    {
        if (stage == slowStage)
        {
            time.Advance(Delay);
        }
    }
}
