using System.Numerics.Tensors;
using Edge.Runtime.Bundles;

namespace Edge.Runtime.Decoding;

/// <summary>Options that shape decoding beyond the manifest's thresholds.</summary>
public sealed record DecoderOptions
{
    /// <summary>Weight of the previous smoothed score in the exponential moving average, in [0, 1); 0 disables smoothing.</summary>
    public float Smoothing { get; init; }

    /// <summary>At most this many labels active at once (highest scores win); 0 for no cap.</summary>
    public int TopK { get; init; }
}

/// <summary>
/// Turns the model's raw outputs into a label set frame after frame: an optional re-scoring of the logits by the
/// model's label graph (<see cref="LogitRescoring"/>), sigmoid when the model emits logits, optional
/// exponential smoothing, per-label on/off thresholds (hysteresis: a label turns on at its threshold and off only
/// below its off-threshold), an optional top-k cap, and the labels that turned on or off on this frame.
/// State lives in arrays sized once; decoding allocates nothing.
/// </summary>
public sealed class MultiLabelDecoder
{
    private readonly LabelThreshold[] labels;
    private readonly bool applySigmoid;
    private readonly DecoderOptions options;
    private readonly float[] scores;
    private readonly float[] rescored;
    private readonly bool[] active;
    private readonly bool[] wasActive;
    private readonly bool[] reported;
    private bool lastWithheld;
    private readonly int[] activeIndices;
    private readonly int[] turnedOn;
    private readonly int[] turnedOff;
    private bool hasHistory;

    public MultiLabelDecoder(IReadOnlyList<LabelThreshold> labels, OutputKind outputKind, DecoderOptions options)
    {
        if (!(options.Smoothing >= 0 && options.Smoothing < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"smoothing is {options.Smoothing}, expected 0 <= smoothing < 1");
        }

        if (options.TopK < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"top-k is {options.TopK}, expected 0 (no cap) or more");
        }

        this.labels = [.. labels];
        OutputKind = outputKind;
        applySigmoid = outputKind == OutputKind.Logits;
        this.options = options;
        var count = labels.Count;
        scores = new float[count];
        rescored = new float[count];
        active = new bool[count];
        wasActive = new bool[count];
        reported = new bool[count];
        activeIndices = new int[count];
        turnedOn = new int[count];
        turnedOff = new int[count];
    }

    public int LabelCount => labels.Length;

    /// <summary>What the model's output holds (logits are passed through a sigmoid).</summary>
    public OutputKind OutputKind { get; }

    public string NameOf(int label) => labels[label].Name;

    /// <summary>Each label's on and off thresholds in force, in label order (the decoder's own array: read on its thread).</summary>
    public IReadOnlyList<LabelThreshold> Thresholds => labels;

    /// <summary>
    /// New on and off thresholds, one per label in label order, used from the next <see cref="Decode"/> on. Copied into
    /// the decoder's own array, so decoding still allocates nothing. Smoothing and which labels are on carry over: a
    /// label on now turns off only once its score falls below its new off threshold.
    /// </summary>
    public void SetThresholds(IReadOnlyList<LabelThreshold> thresholds)
    {
        if (thresholds.Count != labels.Length)
        {
            throw new ArgumentException($"{thresholds.Count} thresholds for {labels.Length} labels", nameof(thresholds));
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if (thresholds[i].Name != labels[i].Name)
            {
                throw new ArgumentException($"threshold {i} is for label '{thresholds[i].Name}', expected '{labels[i].Name}' (label order)", nameof(thresholds));
            }
        }

        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = thresholds[i];
        }
    }

    /// <summary>Scores in [0, 1] after re-scoring, sigmoid and smoothing, in label order.</summary>
    public ReadOnlySpan<float> Scores => scores;

    /// <summary>Indices of the active labels, in descending score order.</summary>
    public ReadOnlySpan<int> Active => activeIndices.AsSpan(0, ActiveCount);

    public int ActiveCount { get; private set; }

    public ReadOnlySpan<int> TurnedOn => turnedOn.AsSpan(0, TurnedOnCount);

    public int TurnedOnCount { get; private set; }

    public ReadOnlySpan<int> TurnedOff => turnedOff.AsSpan(0, TurnedOffCount);

    public int TurnedOffCount { get; private set; }

    public bool IsActive(int label) => active[label];

    /// <summary>Forgets smoothing history and the active set (after a camera reconnect or a scene cut).</summary>
    public void Reset()
    {
        hasHistory = false;
        lastWithheld = false;
        Array.Clear(active);
        Array.Clear(reported);
        ActiveCount = TurnedOnCount = TurnedOffCount = 0;
    }

    /// <summary>
    /// Starts afresh on a scene that moved on (a paused stream resuming): smoothing and hysteresis forget the past, so
    /// the next frame's labels are judged on its own scores against the on thresholds; <see cref="TurnedOn"/> and
    /// <see cref="TurnedOff"/> stay relative to the last label set consumers saw, so no transition is reported twice
    /// or lost.
    /// </summary>
    public void ForgetHistory()
    {
        if (!lastWithheld)
        {
            active.CopyTo(reported, 0);
        }

        lastWithheld = true; // the next Decode keeps 'reported' as it is now
        hasHistory = false;
        Array.Clear(active);
        ActiveCount = TurnedOnCount = TurnedOffCount = 0;
    }

    /// <summary>
    /// Decodes one frame's outputs, first correcting the logits with <paramref name="rescoring"/> when it is given (the
    /// model's; the decoder is the stream's, shared by heads whose models may differ, so the head passes it in).
    /// </summary>
    public void Decode(ReadOnlySpan<float> outputs, LogitRescoring? rescoring = null)
    {
        if (outputs.Length != labels.Length)
        {
            throw new ArgumentException($"model produced {outputs.Length} scores for {labels.Length} labels", nameof(outputs));
        }

        if (rescoring is not null)
        {
            if (!applySigmoid)
            {
                throw new ArgumentException("re-scoring corrects logits, but this decoder's model emits probabilities", nameof(rescoring));
            }

            rescoring.Apply(outputs, rescored);
            outputs = rescored;
        }

        Span<float> fresh = stackalloc float[labels.Length];
        if (applySigmoid)
        {
            TensorPrimitives.Sigmoid(outputs, fresh);
        }
        else
        {
            outputs.CopyTo(fresh);
        }

        if (hasHistory && options.Smoothing > 0)
        {
            // s = (1 - a) * fresh + a * s
            TensorPrimitives.Lerp(fresh, scores, options.Smoothing, scores);
        }
        else
        {
            fresh.CopyTo(scores);
        }

        hasHistory = true;
        active.CopyTo(wasActive, 0);
        if (!lastWithheld)
        {
            active.CopyTo(reported, 0);
        }

        lastWithheld = false;
        ActiveCount = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var threshold = wasActive[i] ? labels[i].Off : labels[i].On;
            active[i] = scores[i] >= threshold;
            if (active[i])
            {
                InsertByScore(i);
            }
        }

        if (options.TopK > 0 && ActiveCount > options.TopK)
        {
            for (var rank = options.TopK; rank < ActiveCount; rank++)
            {
                active[activeIndices[rank]] = false;
            }

            ActiveCount = options.TopK;
        }

        TurnedOnCount = TurnedOffCount = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            if (active[i] && !reported[i])
            {
                turnedOn[TurnedOnCount++] = i;
            }
            else if (!active[i] && reported[i])
            {
                turnedOff[TurnedOffCount++] = i;
            }
        }
    }

    /// <summary>
    /// Says the last <see cref="Decode"/> was not published (a late frame under the drop policy), so the next frame's
    /// <see cref="TurnedOn"/> and <see cref="TurnedOff"/> are still relative to the last state consumers saw and no
    /// transition is lost.
    /// </summary>
    public void Withhold() => lastWithheld = true;

    private void InsertByScore(int label)
    {
        var position = ActiveCount;
        while (position > 0 && scores[activeIndices[position - 1]] < scores[label])
        {
            activeIndices[position] = activeIndices[position - 1];
            position--;
        }

        activeIndices[position] = label;
        ActiveCount++;
    }
}
