using Edge.Quantize.Quantization;

namespace Edge.Quantize.Tests.Quantization;

public sealed class PerChannelWeightsTests
{
    [Fact]
    public void ConvWeights_Axis0_OneScalePerOutputChannel()
    {
        // [2, 3, 1, 1]: channel 0 has amax 127 (scale 1), channel 1 has amax 254 (scale 2); halves round to even.
        float[] weights = [127f, -2.5f, 3.5f, -254f, 5f, 1f];
        var quantized = new sbyte[weights.Length];
        var scales = new float[2];

        QuantMath.QuantizeWeightsPerChannel(weights, [2, 3, 1, 1], 0, quantized, scales);

        Assert.Equal([1f, 2f], scales);
        Assert.Equal([127, -2, 4, -127, 2, 0], quantized);
    }

    [Fact]
    public void MatrixWeights_Axis1_ChannelsAreColumns()
    {
        // [3, 2]: column 0 = {63.5, -1.25, 0.75} (scale 0.5); column 1 is all zeros (scale 1, not a tiny number).
        float[] weights = [63.5f, 0f, -1.25f, 0f, 0.75f, 0f];
        var quantized = new sbyte[weights.Length];
        var scales = new float[2];

        QuantMath.QuantizeWeightsPerChannel(weights, [3, 2], 1, quantized, scales);

        Assert.Equal([0.5f, 1f], scales);
        Assert.Equal([127, 0, -2, 0, 2, 0], quantized);
    }

    [Fact]
    public void NegativeAxis_CountsFromTheEnd()
    {
        float[] weights = [63.5f, 0f, -1.25f, 0f, 0.75f, 0f];
        var fromEnd = new sbyte[weights.Length];
        var fromStart = new sbyte[weights.Length];
        var scales = new float[2];

        QuantMath.QuantizeWeightsPerChannel(weights, [3, 2], -1, fromEnd, scales);
        QuantMath.QuantizeWeightsPerChannel(weights, [3, 2], 1, fromStart, scales);

        Assert.Equal(fromStart, fromEnd);
    }

    [Fact]
    public void EveryChannel_UsesTheFullRangeAtItsLargestMagnitude()
    {
        var random = new Random(7);
        var weights = new float[4 * 8 * 3 * 3];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)((random.NextDouble() * 2) - 1) * (1 + (i / 72));
        }

        var quantized = new sbyte[weights.Length];
        var scales = new float[4];

        QuantMath.QuantizeWeightsPerChannel(weights, [4, 8, 3, 3], 0, quantized, scales);

        for (var channel = 0; channel < 4; channel++)
        {
            var block = quantized.AsSpan(channel * 72, 72).ToArray();
            Assert.Equal(127, block.Max(value => Math.Abs((int)value)));
            Assert.All(block, value => Assert.InRange(value, -127, 127));
        }
    }

    [Fact]
    public void ShapeThatDoesNotMatchTheWeights_Throws()
    {
        var error = Assert.Throws<ArgumentException>(
            () => QuantMath.QuantizeWeightsPerChannel(new float[6], [2, 2], 0, new sbyte[6], new float[2]));

        Assert.Contains("does not describe 6 values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AxisOutsideTheShape_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => QuantMath.QuantizeWeightsPerChannel(new float[6], [2, 3], 2, new sbyte[6], new float[3]));
    }

    [Fact]
    public void WrongNumberOfScales_Throws()
    {
        Assert.Throws<ArgumentException>(
            () => QuantMath.QuantizeWeightsPerChannel(new float[6], [2, 3], 1, new sbyte[6], new float[2]));
    }

    [Fact]
    public void NaNWeight_NamesTheChannel()
    {
        float[] weights = [1f, 2f, float.NaN, 4f];

        var error = Assert.Throws<QuantizeException>(
            () => QuantMath.QuantizeWeightsPerChannel(weights, [2, 2], 0, new sbyte[4], new float[2]));

        Assert.Contains("channel 1", error.Message, StringComparison.Ordinal);
    }
}
