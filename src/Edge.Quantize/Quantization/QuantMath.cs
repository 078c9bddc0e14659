using System.Numerics.Tensors;

namespace Edge.Quantize.Quantization;

/// <summary>
/// INT8 quantization arithmetic with ONNX QuantizeLinear/DequantizeLinear semantics. Scales and divisions are float32,
/// as in ONNX Runtime's quantizer and kernels, so the same inputs give the same integers.
/// </summary>
public static class QuantMath
{
    /// <summary>
    /// The scale for a range that is all zeros (or too small to divide by), as ONNX Runtime's quantizer does. Any scale
    /// quantizes zeros exactly; a tiny one would make a bias scale (input scale × weight scale) underflow and
    /// saturate the int32 bias of a channel whose weights are all zero.
    /// </summary>
    private const float DegenerateRangeScale = 1f;

    /// <summary>float32's smallest normal number (numpy's finfo.tiny): scales below it lose precision to subnormals.</summary>
    private const float SmallestNormal = 1.17549435E-38f;

    private const int UInt8Levels = 255;

    /// <summary>
    /// Signed symmetric quantization with zero point 0: scale = <paramref name="amax"/> / <paramref name="qmax"/>.
    /// An <paramref name="amax"/> of 0 (or one whose scale would be subnormal) gets scale 1.
    /// </summary>
    public static QuantParams Symmetric(float amax, int qmax = 127)
    {
        if (!float.IsFinite(amax) || amax < 0)
        {
            throw new QuantizeException($"symmetric range {amax}: expected a finite, non-negative largest magnitude");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(qmax, 1);
        var scale = amax / qmax;
        return new QuantParams(scale < SmallestNormal ? DegenerateRangeScale : scale, 0);
    }

    /// <summary>
    /// Unsigned 8-bit quantization over [<paramref name="min"/>, <paramref name="max"/>] extended to include 0 (so 0 is
    /// exact, as padding and ReLU need): scale = (max - min) / 255, zero point = round-half-to-even(-min / scale).
    /// </summary>
    public static QuantParams AsymmetricUInt8(float min, float max)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || min > max)
        {
            throw new QuantizeException($"range [{min}, {max}]: expected finite bounds with min <= max");
        }

        var low = MathF.Min(min, 0);
        var high = MathF.Max(max, 0);
        var scale = (high - low) / UInt8Levels;
        if (!float.IsFinite(scale))
        {
            throw new QuantizeException($"range [{min}, {max}] is wider than float32 can represent: expected a narrower range");
        }

        if (scale < SmallestNormal)
        {
            return new QuantParams(DegenerateRangeScale, 0);
        }

        var zeroPoint = MathF.Round(-low / scale, MidpointRounding.ToEven);
        return new QuantParams(scale, (int)Math.Clamp(zeroPoint, 0, UInt8Levels));
    }

    /// <summary>
    /// ONNX QuantizeLinear: saturate(round-half-to-even(x / scale) + zero point) to [<paramref name="qmin"/>, <paramref name="qmax"/>].
    /// NaN, which the ONNX specification leaves open, quantizes to the zero point, i.e. dequantizes to 0.
    /// </summary>
    public static int Quantize(float x, QuantParams p, int qmin, int qmax)
    {
        var rounded = MathF.Round(x / p.Scale, MidpointRounding.ToEven);
        if (float.IsNaN(rounded))
        {
            return Math.Clamp(p.ZeroPoint, qmin, qmax);
        }

        // In double so that adding the zero point to a huge rounded value neither overflows nor loses the saturation.
        return (int)Math.Clamp((double)rounded + p.ZeroPoint, qmin, qmax);
    }

    /// <summary>ONNX DequantizeLinear: (q - zero point) × scale.</summary>
    public static float Dequantize(int q, QuantParams p) => (q - p.ZeroPoint) * p.Scale;

    /// <summary>
    /// Symmetric per-channel int8 in [-127, 127] (127 rather than 128 keeps the range symmetric, as ONNX Runtime and
    /// TensorRT do for weights) along <paramref name="axis"/> (negative counts from the end, as in ONNX) of a row-major
    /// tensor with <paramref name="shape"/>: one scale per channel, amax_c / 127.
    /// </summary>
    public static void QuantizeWeightsPerChannel(
        ReadOnlySpan<float> weights, IReadOnlyList<long> shape, int axis, Span<sbyte> quantized, Span<float> scales)
    {
        var layout = ChannelLayout.Of(shape, axis, weights.Length);
        if (quantized.Length != weights.Length)
        {
            throw new ArgumentException($"quantized holds {quantized.Length} values: expected {weights.Length}, one per weight", nameof(quantized));
        }

        if (scales.Length != layout.Channels)
        {
            throw new ArgumentException($"scales holds {scales.Length} values: expected {layout.Channels}, one per channel along axis {axis}", nameof(scales));
        }

        for (var channel = 0; channel < layout.Channels; channel++)
        {
            var amax = 0f;
            for (var outer = 0; outer < layout.Outer; outer++)
            {
                var block = weights.Slice(layout.BlockStart(outer, channel), layout.Inner);
                if (!block.IsEmpty)
                {
                    amax = MathF.Max(amax, MathF.Abs(TensorPrimitives.MaxMagnitude(block)));
                }
            }

            if (!float.IsFinite(amax))
            {
                throw new QuantizeException($"weight channel {channel} along axis {axis} contains NaN or infinity: expected finite weights");
            }

            var parameters = Symmetric(amax);
            scales[channel] = parameters.Scale;
            for (var outer = 0; outer < layout.Outer; outer++)
            {
                var start = layout.BlockStart(outer, channel);
                for (var index = start; index < start + layout.Inner; index++)
                {
                    quantized[index] = (sbyte)Quantize(weights[index], parameters, -127, 127);
                }
            }
        }
    }

    /// <summary>
    /// Signal-to-quantization-noise ratio in dB: 10 log10(Σ r² / Σ (r - a)²), accumulated in double. Identical inputs
    /// (including empty ones) give +∞; an all-zero reference with any error gives -∞, since no signal survives any noise;
    /// NaN in either input gives NaN.
    /// </summary>
    public static double Sqnr(ReadOnlySpan<float> reference, ReadOnlySpan<float> approximation)
    {
        if (reference.Length != approximation.Length)
        {
            throw new ArgumentException($"approximation holds {approximation.Length} values: expected {reference.Length}, as many as the reference", nameof(approximation));
        }

        double signal = 0;
        double noise = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            double value = reference[i];
            var error = value - approximation[i];
            signal += value * value;
            noise += error * error;
        }

        return noise == 0 ? double.PositiveInfinity : 10 * Math.Log10(signal / noise);
    }
}
