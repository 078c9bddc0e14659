using Edge.Runtime.Budget;

namespace Edge.Runtime.Pipeline;

/// <summary>
/// A test hook called at the start of each stage, to make a stage slow on purpose. Implementations that delay the
/// inference stage should end early when the watchdog fires (<see cref="InferenceWatchdog.WaitForFire"/>), as a
/// terminated ONNX Runtime run would.
/// </summary>
public interface IStageDelay
{
    void Delay(PipelineStage stage, InferenceWatchdog watchdog);

    /// <summary>The inference stage of a batch of <paramref name="size"/> frames; by default as for one frame.</summary>
    void DelayBatch(int size, InferenceWatchdog watchdog) => Delay(PipelineStage.Inference, watchdog);
}

/// <summary>Adds a fixed delay to one stage in real time (<c>edge run/bench --inject-delay STAGE=MS</c>).</summary>
public sealed class InjectedDelay(PipelineStage stage, TimeSpan delay) : IStageDelay
{
    public PipelineStage Stage => stage;

    public TimeSpan Duration => delay;

    public static InjectedDelay Parse(string text)
    {
        var parts = text.Split('=', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !Enum.TryParse<PipelineStage>(parts[0], ignoreCase: true, out var stage)
            || stage is PipelineStage.Queue
            || !double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            || !(ms >= 0 && ms <= 60_000))
        {
            throw new FormatException($"--inject-delay '{text}' is invalid: expected STAGE=MS with STAGE preprocess, inference, decode or publish and MS from 0 to 60000");
        }

        return new InjectedDelay(stage, TimeSpan.FromMilliseconds(ms));
    }

    public void Delay(PipelineStage current, InferenceWatchdog watchdog)
    {
        if (current != stage)
        {
            return;
        }

        if (current == PipelineStage.Inference)
        {
            watchdog.WaitForFire(delay);
        }
        else
        {
#pragma warning disable RS0030 // --inject-delay slows a real run in real time; Thread.Sleep allocates nothing on the frame path.
            Thread.Sleep(delay);
#pragma warning restore RS0030
        }
    }
}
