namespace Edge.Runtime.HardFrames;

/// <summary>
/// Decides frame by frame whether the model was unsure, and why. Keeps the history the reasons need (turns per label
/// over the last frames, a running mean of the active count) in arrays sized once: judging allocates nothing.
/// Not thread-safe: one frame path calls it.
/// </summary>
internal sealed class HardFrameJudge
{
    /// <summary>Frames seen before an unusual label count can be judged (the mean means little before).</summary>
    internal const int LabelCountWarmUpFrames = 10;

    /// <summary>The running mean of the active count is a plain mean over the first this-many frames, then an exponential one with weight 1/this.</summary>
    internal const int LabelCountMeanFrames = 100;

    private readonly float[] on;
    private readonly double margin;
    private readonly double minMeanEntropy;
    private readonly double labelCountDeviation;
    private readonly int flickerWindow;
    private readonly int flickerTurns;
    private readonly byte[] turnHistory; // flickerWindow rows of one byte per label: 1 when the label turned on or off in that frame
    private readonly int[] turnCounts;
    private readonly byte[] turnedNow;
    private readonly bool[] marginLabels;
    private readonly bool[] flickerLabels;
    private int historyRow;
    private long frames;
    private double meanActive;

    public HardFrameJudge(ReadOnlySpan<float> onThresholds, HardFrameOptions options)
    {
        on = onThresholds.ToArray();
        margin = options.Margin;
        minMeanEntropy = options.MinMeanEntropy;
        labelCountDeviation = options.LabelCountDeviation;
        flickerWindow = options.FlickerWindow;
        flickerTurns = options.FlickerTurns;
        turnHistory = new byte[on.Length * flickerWindow];
        turnCounts = new int[on.Length];
        turnedNow = new byte[on.Length];
        marginLabels = new bool[on.Length];
        flickerLabels = new bool[on.Length];
    }

    public int LabelCount => on.Length;

    /// <summary>Per label: closer than the margin to its on-threshold on the last judged frame.</summary>
    public ReadOnlySpan<bool> MarginLabels => marginLabels;

    /// <summary>Per label: turned on/off at least the flicker count of times within the window, up to the last judged frame.</summary>
    public ReadOnlySpan<bool> FlickerLabels => flickerLabels;

    public bool Entropy { get; private set; }

    public bool LabelCountUnusual { get; private set; }

    public double MeanEntropy { get; private set; }

    public double MeanActive => meanActive;

    /// <summary>Records the frame in the history and says whether any reason holds for it.</summary>
    public bool Judge(ReadOnlySpan<float> scores, int activeCount, ReadOnlySpan<int> turnedOn, ReadOnlySpan<int> turnedOff)
    {
        var hard = false;
        var entropy = 0.0;
        for (var i = 0; i < on.Length; i++)
        {
            var centred = CentreOnThreshold(scores[i], on[i]);
            var near = Math.Abs(centred - 0.5) < margin;
            marginLabels[i] = near;
            hard |= near;
            entropy += BinaryEntropy(centred);
        }

        MeanEntropy = on.Length == 0 ? 0 : entropy / on.Length;
        Entropy = MeanEntropy >= minMeanEntropy;
        hard |= Entropy;

        LabelCountUnusual = frames >= LabelCountWarmUpFrames && Math.Abs(activeCount - meanActive) >= labelCountDeviation;
        hard |= LabelCountUnusual;
        frames++;
        meanActive += (activeCount - meanActive) / Math.Min(frames, LabelCountMeanFrames);

        Array.Clear(turnedNow);
        foreach (var label in turnedOn)
        {
            turnedNow[label] = 1;
        }

        foreach (var label in turnedOff)
        {
            turnedNow[label] = 1;
        }

        var row = turnHistory.AsSpan(historyRow * on.Length, on.Length);
        for (var i = 0; i < on.Length; i++)
        {
            turnCounts[i] += turnedNow[i] - row[i];
            row[i] = turnedNow[i];
            var flickers = turnCounts[i] >= flickerTurns;
            flickerLabels[i] = flickers;
            hard |= flickers;
        }

        historyRow = (historyRow + 1) % flickerWindow;
        return hard;
    }

    /// <summary>
    /// σ(logit(score) − logit(threshold)): 0.5 exactly at the label's threshold. Multi-label models trained with
    /// asymmetric losses are not calibrated (negatives sit around 0.1–0.3, thresholds near 0.9), so distances and
    /// entropies are judged relative to each label's own threshold, not to 0.5.
    /// </summary>
    internal static double CentreOnThreshold(double score, double threshold)
    {
        const double epsilon = 1e-7;
        var p = Math.Clamp(score, epsilon, 1 - epsilon);
        var t = Math.Clamp(threshold, epsilon, 1 - epsilon);
        var logit = Math.Log(p / (1 - p)) - Math.Log(t / (1 - t));
        return 1 / (1 + Math.Exp(-logit));
    }

    /// <summary>Entropy in bits of a Bernoulli variable with probability <paramref name="p"/>; 0 outside (0, 1).</summary>
    internal static double BinaryEntropy(double p)
    {
        if (!(p > 0 && p < 1))
        {
            return 0;
        }

        var q = 1 - p;
        return -(p * Math.Log2(p)) - (q * Math.Log2(q));
    }
}
