namespace Edge.Runtime.Budget;

internal enum LevelChange
{
    None,

    /// <summary>Stepped down the ladder (level + 1): cheaper work.</summary>
    Degraded,

    /// <summary>Stepped back up (level - 1).</summary>
    Recovered,
}

/// <summary>
/// Decides the degrade level (0: the configured model at full rate; n: ladder step n) from each processed frame's
/// outcome, with the hysteresis described on <see cref="DegradeOptions"/>. Pure logic over counters and one ring of
/// outcomes: no clock, no allocation per frame.
/// </summary>
internal sealed class DegradeController
{
    private const int MaxBackoff = 16;

    private readonly DegradeOptions options;
    private double headroomMs;
    private readonly bool[] window;
    private readonly int[] backoff;
    private int windowCount;
    private int windowNext;
    private int windowMisses;
    private int headroomStreak;
    private long framesSinceChange;
    private bool lastChangeWasRecovery;

    public DegradeController(DegradeOptions options, double budgetMs)
    {
        options.Validate();
        this.options = options;
        headroomMs = budgetMs * options.HeadroomFraction;
        window = new bool[options.WindowFrames];
        backoff = new int[options.Ladder.Count + 1];
        Array.Fill(backoff, 1);
    }

    /// <summary>A new budget: headroom is measured against it from the next frame on; level and window are kept.</summary>
    public void Rebudget(double budgetMs) => headroomMs = budgetMs * options.HeadroomFraction;

    /// <summary>0 for the configured model at full rate, else the 1-based ladder step in force.</summary>
    public int Level { get; private set; }

    public int MaxLevel => options.Ladder.Count;

    /// <summary>Misses over the processed frames in the current window (since the last change, at most a window).</summary>
    public double MissRate => windowCount == 0 ? 0 : (double)windowMisses / windowCount;

    /// <summary>Frames of headroom in a row the current level needs before it steps up.</summary>
    public int FramesToRecover => options.RecoverFrames * backoff[Level];

    /// <summary>Records one processed frame and says whether the level changed because of it.</summary>
    /// <param name="missed">The frame missed its deadline (late, cancelled, or over a stage budget).</param>
    /// <param name="endToEndMs">Capture to label set ready, for frames that finished.</param>
    public LevelChange Observe(bool missed, double endToEndMs)
    {
        framesSinceChange++;
        if (windowCount == window.Length && window[windowNext])
        {
            windowMisses--;
        }

        window[windowNext] = missed;
        windowMisses += missed ? 1 : 0;
        windowNext = (windowNext + 1) % window.Length;
        windowCount = Math.Min(windowCount + 1, window.Length);
        headroomStreak = !missed && endToEndMs <= headroomMs ? headroomStreak + 1 : 0;

        if (Level < MaxLevel && windowCount == window.Length && MissRate > options.MissRateToDegrade)
        {
            if (lastChangeWasRecovery && framesSinceChange <= 2L * window.Length)
            {
                // The level we came from could not hold: make its next recovery wait longer.
                backoff[Level + 1] = Math.Min(backoff[Level + 1] * 2, MaxBackoff);
            }

            Change(+1, recovery: false);
            return LevelChange.Degraded;
        }

        if (Level > 0 && headroomStreak >= FramesToRecover)
        {
            Change(-1, recovery: true);
            return LevelChange.Recovered;
        }

        if (lastChangeWasRecovery && framesSinceChange == 4L * window.Length)
        {
            backoff[Level + 1] = 1; // the recovery held: forgive the earlier failures to hold it
        }

        return LevelChange.None;
    }

    private void Change(int delta, bool recovery)
    {
        Level += delta;
        lastChangeWasRecovery = recovery;
        framesSinceChange = 0;
        windowCount = windowNext = windowMisses = 0;
        headroomStreak = 0;
    }
}
