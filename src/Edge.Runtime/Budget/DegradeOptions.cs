namespace Edge.Runtime.Budget;

// Settable rather than init-only: System.Text.Json's source generator resets init-only properties missing from the
// JSON to default, which would lose the defaults below.

/// <summary>One rung of the degrade ladder: what to run instead of the configured model, and how often.</summary>
public sealed record LadderStep
{
    public required string Name { get; set; }

    /// <summary>A cheaper bundle (same labels, e.g. INT8 or exported for a smaller input), or null to keep the model.</summary>
    public string? Model { get; set; }

    /// <summary>Process one frame in this many (1: every frame).</summary>
    public int FrameStride { get; set; } = 1;
}

/// <summary>
/// When the <see cref="MissPolicy.Degrade"/> policy steps down and back up. Down: more than
/// <see cref="MissRateToDegrade"/> of the last <see cref="WindowFrames"/> processed frames missed their deadline. Up:
/// <see cref="RecoverFrames"/> processed frames in a row finished within <see cref="HeadroomFraction"/> of the budget.
/// A change restarts both counts, and a recovery that fails again within two windows doubles the frames the next
/// recovery at that level needs (up to 16x), so a load that hovers at the edge cannot make the level flap.
/// </summary>
public sealed record DegradeOptions
{
    public static readonly IReadOnlyList<LadderStep> DefaultLadder =
    [
        new() { Name = "half-rate", FrameStride = 2 },
        new() { Name = "third-rate", FrameStride = 3 },
    ];

    public int WindowFrames { get; set; } = 30;

    public double MissRateToDegrade { get; set; } = 0.2;

    public double HeadroomFraction { get; set; } = 0.6;

    public int RecoverFrames { get; set; } = 90;

    public IReadOnlyList<LadderStep> Ladder { get; set; } = DefaultLadder;

    /// <summary>Throws <see cref="Options.SettingException"/> naming the setting that is out of range.</summary>
    public void Validate()
    {
        Require(WindowFrames is >= 1 and <= 100_000, "window_frames", WindowFrames, "1 to 100000");
        Require(MissRateToDegrade is > 0 and < 1, "miss_rate_to_degrade", MissRateToDegrade, "a fraction above 0 and below 1");
        Require(HeadroomFraction is > 0 and <= 1, "headroom_fraction", HeadroomFraction, "a fraction above 0, at most 1");
        Require(RecoverFrames is >= 1 and <= 1_000_000, "recover_frames", RecoverFrames, "1 to 1000000");
        Require(Ladder.Count is >= 1 and <= 16, "ladder", Ladder.Count, "1 to 16 steps");
        for (var i = 0; i < Ladder.Count; i++)
        {
            var step = Ladder[i];
            Require(!string.IsNullOrWhiteSpace(step.Name), $"ladder[{i}].name", step.Name, "a non-empty name");
            Require(step.FrameStride is >= 1 and <= 1000, $"ladder[{i}].frame_stride", step.FrameStride, "1 to 1000");
            Require(step.Model is not null || step.FrameStride > 1, $"ladder[{i}]", step.Name, "a step that changes something: a model, or frame_stride above 1");
        }
    }

    private static void Require(bool condition, string key, object? value, string expected)
    {
        if (!condition)
        {
            throw new Options.SettingException($"degrade.{key}", value, expected);
        }
    }
}
