using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Edge.Quantize.Calibration;

/// <summary>
/// Streaming statistics of one tensor over a calibration set: min, max, count, and optionally a histogram of |x| with a
/// fixed number of bins over [0, <see cref="HistogramRange"/>]. Bin k counts |x| in [k·w, (k+1)·w) with
/// w = range / bins; the last bin also holds |x| = range. The first batch with a non-zero value sets the range so that
/// its largest magnitude falls in the middle of the last bin; a later batch reaching the range doubles it as often as
/// needed and merges each 2^d bins into one. Every old bin lies inside one new bin and no value sits on the old upper
/// edge, so the merged counts are those binning at the new range would give, and memory does not grow with the images.
/// Not thread-safe: one tensor's values arrive from one thread at a time.
/// </summary>
public sealed class TensorStatistics
{
    /// <summary>Values are binned a chunk at a time through a fixed scratch buffer that stays in L1 cache.</summary>
    private const int ChunkLength = 4096;

    /// <summary>
    /// Independent counter sets that consecutive values rotate through, so runs of values in one bin (the zeros after a
    /// ReLU) do not wait on each other's increments; this makes binning about twice as fast.
    /// </summary>
    private const int Lanes = 4;

    /// <summary>Below this the bin scale (bins / range) would overflow float; no activation needs finer resolution.</summary>
    private const float SmallestRange = 1e-30f;

    private readonly int bins;
    private readonly long[] laneCounts;
    private readonly long[] histogram;
    private readonly int[] binIndices;
    private bool histogramIsMerged = true;
    private float binsPerUnit;
    private float min = float.PositiveInfinity;
    private float max = float.NegativeInfinity;

    public TensorStatistics(bool collectHistogram, int bins = 2048)
    {
        if (bins < 1)
        {
            throw new QuantizeException($"histogram of {bins} bins: expected at least 1");
        }

        HasHistogram = collectHistogram;
        this.bins = collectHistogram ? bins : 0;
        laneCounts = new long[Lanes * this.bins];
        histogram = new long[this.bins];
        binIndices = collectHistogram ? new int[ChunkLength] : [];
    }

    /// <summary>The smallest finite value seen; 0 before any.</summary>
    public float Min => Count == 0 ? 0 : min;

    /// <summary>The largest finite value seen; 0 before any.</summary>
    public float Max => Count == 0 ? 0 : max;

    /// <summary>How many finite values were seen.</summary>
    public long Count { get; private set; }

    /// <summary>How many NaN and infinite values were skipped.</summary>
    public long NonFinite { get; private set; }

    public bool HasHistogram { get; }

    /// <summary>Counts of |x| per bin; empty when not collected. A view that a later <see cref="Add"/> makes stale: read it again.</summary>
    public ReadOnlySpan<long> Histogram
    {
        get
        {
            if (!histogramIsMerged)
            {
                MergeLanes();
            }

            return histogram;
        }
    }

    /// <summary>The upper edge of the last bin; 0 while every value seen is 0 (they are all in bin 0).</summary>
    public float HistogramRange { get; private set; }

    /// <summary>Adds one batch of a tensor's values; NaN and infinities are skipped and counted in <see cref="NonFinite"/>.</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        // Min and Max propagate NaN and pass infinities through, so finite results prove every value is finite.
        var batchMin = TensorPrimitives.Min(values);
        var batchMax = TensorPrimitives.Max(values);
        if (!float.IsFinite(batchMin) || !float.IsFinite(batchMax))
        {
            AddSkippingNonFinite(values);
            return;
        }

        Include(batchMin, batchMax, values.Length);
        if (HasHistogram)
        {
            CoverMagnitude(MathF.Max(-batchMin, batchMax));
            for (var start = 0; start < values.Length; start += ChunkLength)
            {
                BinChunk(values.Slice(start, Math.Min(ChunkLength, values.Length - start)));
            }
        }
    }

    private void Include(float batchMin, float batchMax, int finiteCount)
    {
        min = MathF.Min(min, batchMin);
        max = MathF.Max(max, batchMax);
        Count += finiteCount;
    }

    // Calibration calls these millions of times from its first image on; waiting for tiered compilation would run the
    // first hundred or so batches several times slower.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BinChunk(ReadOnlySpan<float> chunk)
    {
        var indices = binIndices.AsSpan(0, chunk.Length);
        ComputeBinIndices(chunk, indices);
        var lane0 = laneCounts.AsSpan(0, bins);
        var lane1 = laneCounts.AsSpan(bins, bins);
        var lane2 = laneCounts.AsSpan(2 * bins, bins);
        var lane3 = laneCounts.AsSpan(3 * bins, bins);
        var i = 0;
        for (; i <= indices.Length - Lanes; i += Lanes)
        {
            lane0[indices[i]]++;
            lane1[indices[i + 1]]++;
            lane2[indices[i + 2]]++;
            lane3[indices[i + 3]]++;
        }

        for (; i < indices.Length; i++)
        {
            lane0[indices[i]]++;
        }

        histogramIsMerged = false;
    }

    /// <summary>One fused pass of bin = min(trunc(|x| × bins / range), bins - 1), the arithmetic <see cref="BinOf"/> does one value at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeBinIndices(ReadOnlySpan<float> chunk, Span<int> indices)
    {
        var scale = new Vector<float>(binsPerUnit);
        var lastBin = new Vector<float>(bins - 1);
        var i = 0;
        for (; i <= chunk.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var position = Vector.Min(Vector.Abs(new Vector<float>(chunk[i..])) * scale, lastBin);
            Vector.ConvertToInt32(position).CopyTo(indices[i..]);
        }

        for (; i < chunk.Length; i++)
        {
            indices[i] = BinOf(chunk[i]);
        }
    }

    private int BinOf(float value) => (int)MathF.Min(MathF.Abs(value) * binsPerUnit, bins - 1);

    /// <summary>The rare batch with NaN or infinities: scalar, two passes, the same binning arithmetic as the vector path.</summary>
    private void AddSkippingNonFinite(ReadOnlySpan<float> values)
    {
        var batchMin = float.PositiveInfinity;
        var batchMax = float.NegativeInfinity;
        var finiteCount = 0;
        foreach (var value in values)
        {
            if (float.IsFinite(value))
            {
                batchMin = MathF.Min(batchMin, value);
                batchMax = MathF.Max(batchMax, value);
                finiteCount++;
            }
        }

        NonFinite += values.Length - finiteCount;
        if (finiteCount == 0)
        {
            return;
        }

        Include(batchMin, batchMax, finiteCount);
        if (!HasHistogram)
        {
            return;
        }

        CoverMagnitude(MathF.Max(-batchMin, batchMax));
        var lane0 = laneCounts.AsSpan(0, bins);
        foreach (var value in values)
        {
            if (float.IsFinite(value))
            {
                lane0[BinOf(value)]++;
            }
        }

        histogramIsMerged = false;
    }

    private void CoverMagnitude(float amax)
    {
        if (amax < HistogramRange || amax == 0)
        {
            return;
        }

        if (HistogramRange == 0)
        {
            // Values seen so far were all 0, which is in bin 0 of any range.
            var range = (float)(amax * (double)bins / (bins - 0.5));
            ThrowIfUncoverable(range, amax);
            HistogramRange = MathF.Max(range, SmallestRange);
        }
        else
        {
            var range = HistogramRange;
            var doublings = 0;
            while (range <= amax)
            {
                range *= 2;
                doublings++;
            }

            ThrowIfUncoverable(range, amax);
            MergeBinsAfterDoubling(doublings);
            HistogramRange = range;
        }

        binsPerUnit = bins / HistogramRange;
    }

    private static void ThrowIfUncoverable(float range, float amax)
    {
        if (float.IsInfinity(range))
        {
            throw new QuantizeException(
                $"a calibration value of magnitude {amax} needs a histogram range beyond float's maximum: expected activations well inside float range");
        }
    }

    /// <summary>After d doublings old bin k lies wholly inside new bin k >> d; ascending order never moves a count twice.</summary>
    private void MergeBinsAfterDoubling(int doublings)
    {
        for (var lane = 0; lane < Lanes; lane++)
        {
            var counts = laneCounts.AsSpan(lane * bins, bins);
            for (var bin = 1; bin < bins; bin++)
            {
                var count = counts[bin];
                if (count != 0)
                {
                    counts[bin] = 0;
                    counts[doublings >= 31 ? 0 : bin >> doublings] += count;
                }
            }
        }

        histogramIsMerged = false;
    }

    private void MergeLanes()
    {
        var merged = histogram.AsSpan();
        TensorPrimitives.Add(laneCounts.AsSpan(0, bins), laneCounts.AsSpan(bins, bins), merged);
        TensorPrimitives.Add(merged, laneCounts.AsSpan(2 * bins, bins), merged);
        TensorPrimitives.Add(merged, laneCounts.AsSpan(3 * bins, bins), merged);
        histogramIsMerged = true;
    }
}
