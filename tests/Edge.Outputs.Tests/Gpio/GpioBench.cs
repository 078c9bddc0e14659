using System.Device.Gpio;
using Edge.Outputs.Gpio;
using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Outputs.Tests.Gpio;

/// <summary>
/// Two fake Orin chips (tegra234-gpio as chip 0 with 164 lines, tegra234-gpio-aon as chip 1 with 32), a three-label
/// decoder (person, car, dog) and frame reports made from it.
/// </summary>
internal sealed class GpioBench
{
    public static readonly string[] LabelNames = ["person", "car", "dog"];

    private readonly MultiLabelDecoder decoder = new([.. LabelNames.Select(n => new LabelThreshold(n, 0.5f, 0.5f))], OutputKind.Probabilities, new DecoderOptions());
    private readonly float[] scores = new float[LabelNames.Length];
    private long frame;

    public GpioBench(TimeProvider time)
    {
        Time = time;
        Main = new RecordingGpioDriver(164, time);
        AlwaysOn = new RecordingGpioDriver(32, time);
        Chips = new GpioChipSet(
            [new GpioChipInfo(0, "gpiochip0", "tegra234-gpio", 164), new GpioChipInfo(1, "gpiochip1", "tegra234-gpio-aon", 32)],
            id => id == 0 ? Main : AlwaysOn,
            "fake");
    }

    public TimeProvider Time { get; }

    public RecordingGpioDriver Main { get; }

    public RecordingGpioDriver AlwaysOn { get; }

    public GpioChipSet Chips { get; }

    public static GpioLineSpec Line(int line, string chip = "tegra234-gpio") => new() { Chip = chip, Line = line };

    public GpioOutputs Open(GpioSettings settings, JetsonDevKit? devKit = null, GpioScope? scope = null) => new(settings, LabelNames, Chips, Time, devKit, scope);

    /// <summary>A decoded frame in which exactly the given labels are active.</summary>
    public FrameReport Frame(FrameOutcome outcome = FrameOutcome.Published, params ReadOnlySpan<int> active)
    {
        Array.Clear(scores);
        foreach (var label in active)
        {
            scores[label] = 0.9f;
        }

        decoder.Decode(scores);
        return new FrameReport { Stream = StreamId.Default, Model = "model", Frame = frame++, Outcome = outcome, Latency = default(StageLatency), EndToEndMs = 10, Level = 0, Labels = decoder };
    }

    public FrameReport Labels(params ReadOnlySpan<int> active) => Frame(FrameOutcome.Published, active);

    /// <summary>A frame that was not decoded (dropped or skipped), so it carries no labels.</summary>
    public FrameReport Undecoded(FrameOutcome outcome) =>
        new() { Stream = StreamId.Default, Model = "model", Frame = frame++, Outcome = outcome, Latency = default(StageLatency), EndToEndMs = double.NaN, Level = 0, Labels = null };
}
