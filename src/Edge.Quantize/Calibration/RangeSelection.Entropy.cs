using System.Numerics.Tensors;

namespace Edge.Quantize.Calibration;

public static partial class RangeSelection
{
    /// <summary>MXNet's and ONNX Runtime's smoothing: each empty bin gets this much, taken evenly from the others.</summary>
    private const double SmoothingEpsilon = 1e-4;

    /// <summary>
    /// TensorRT's entropy calibration. For each candidate i in [<paramref name="quantizedBins"/>, bins] the reference P
    /// is histogram[0..i) with the clipped outliers (the sum of histogram[i..]) added to its last bin, and the candidate
    /// Q is histogram[0..i), without the outliers, merged into <paramref name="quantizedBins"/> levels (bin k to level
    /// ⌊k × levels / i⌋) and spread back evenly over each level's non-empty bins. As in TensorRT and ONNX Runtime, Q
    /// leaves the outliers out, so clipping many values costs divergence while clipping a few rare ones does not. Both
    /// are smoothed (empty bins get 1e-4, taken from the others, as MXNet and ONNX Runtime do, so KL stays finite) and
    /// the i with the smallest KL(P‖Q) wins; on a tie the smaller i, as ONNX Runtime's argmin does, since it loses no
    /// more information and quantizes in finer steps (a histogram using only its first bins is not stretched to the range).
    /// The threshold is i × bin width: bin k spans [k, k+1) widths here, so P's last bin ends exactly there. The
    /// (i + 0.5) × width of TensorRT's description counts from bin centres and would reach half a bin past what P covers.
    /// An empty histogram gives 0; one with no more bins than <paramref name="quantizedBins"/> gives <paramref name="range"/>.
    /// </summary>
    public static float EntropyThreshold(ReadOnlySpan<long> histogram, float range, int quantizedBins = 128)
    {
        if (quantizedBins < 1)
        {
            throw new QuantizeException($"{quantizedBins} quantized levels: expected at least 1");
        }

        ThrowIfInvalidRange(range);
        long total = 0;
        foreach (var count in histogram)
        {
            total += count;
        }

        if (total == 0)
        {
            return 0;
        }

        if (histogram.Length <= quantizedBins)
        {
            return range;
        }

        var reference = new double[histogram.Length];
        var candidate = new double[histogram.Length];
        long kept = 0;
        foreach (var count in histogram[..(quantizedBins - 1)])
        {
            kept += count;
        }

        var bestDivergence = double.PositiveInfinity;
        var bestBins = histogram.Length;
        for (var bins = quantizedBins; bins <= histogram.Length; bins++)
        {
            kept += histogram[bins - 1];
            if (kept == 0)
            {
                // Q would be empty: every value clipped.
                continue;
            }

            var divergence = ClippingDivergence(
                histogram[..bins], total - kept, quantizedBins, reference.AsSpan(0, bins), candidate.AsSpan(0, bins));
            if (divergence < bestDivergence)
            {
                bestDivergence = divergence;
                bestBins = bins;
            }
        }

        return UpperEdge(bestBins, histogram.Length, range);
    }

    /// <summary>KL(P‖Q) for keeping <paramref name="kept"/> and clipping <paramref name="outliers"/> values into its last bin.</summary>
    private static double ClippingDivergence(
        ReadOnlySpan<long> kept, long outliers, int levels, Span<double> reference, Span<double> candidate)
    {
        var levelStart = 0;
        for (var level = 0; level < levels; level++)
        {
            // The first bin k with ⌊k × levels / n⌋ > level, without a division per bin.
            var levelEnd = (int)((((long)(level + 1) * kept.Length) + levels - 1) / levels);
            long levelTotal = 0;
            var nonEmpty = 0;
            foreach (var count in kept[levelStart..levelEnd])
            {
                levelTotal += count;
                nonEmpty += count == 0 ? 0 : 1;
            }

            var spread = nonEmpty == 0 ? 0 : (double)levelTotal / nonEmpty;
            for (var bin = levelStart; bin < levelEnd; bin++)
            {
                reference[bin] = kept[bin];
                candidate[bin] = kept[bin] == 0 ? 0 : spread;
            }

            levelStart = levelEnd;
        }

        reference[^1] += outliers;
        Smooth(reference);
        Smooth(candidate);
        return KullbackLeibler(reference, candidate);
    }

    /// <summary>
    /// Gives each empty bin <see cref="SmoothingEpsilon"/>, taken evenly from the non-empty ones. Non-empty bins hold at
    /// least 1 here, so they stay positive unless empty bins outnumber them 10,000 to 1; the floor covers that case.
    /// </summary>
    private static void Smooth(Span<double> counts)
    {
        var empty = 0;
        foreach (var count in counts)
        {
            empty += count == 0 ? 1 : 0;
        }

        if (empty == 0)
        {
            return;
        }

        var taken = SmoothingEpsilon * empty / (counts.Length - empty);
        for (var bin = 0; bin < counts.Length; bin++)
        {
            counts[bin] = counts[bin] == 0 ? SmoothingEpsilon : Math.Max(counts[bin] - taken, SmoothingEpsilon);
        }
    }

    /// <summary>
    /// KL(P‖Q) of the normalised counts: Σ (p/Sp) ln((p/Sp) / (q/Sq)) = Σ p ln(p/q) / Sp + ln(Sq/Sp).
    /// Overwrites <paramref name="candidate"/>.
    /// </summary>
    private static double KullbackLeibler(ReadOnlySpan<double> reference, Span<double> candidate)
    {
        var referenceTotal = TensorPrimitives.Sum(reference);
        var candidateTotal = TensorPrimitives.Sum((ReadOnlySpan<double>)candidate);
        TensorPrimitives.Divide(reference, candidate, candidate);
        TensorPrimitives.Log((ReadOnlySpan<double>)candidate, candidate);
        return (TensorPrimitives.Dot(reference, candidate) / referenceTotal) + Math.Log(candidateTotal / referenceTotal);
    }
}
