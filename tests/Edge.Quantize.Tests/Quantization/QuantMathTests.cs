using Edge.Quantize.Quantization;

namespace Edge.Quantize.Tests.Quantization;

public sealed class QuantMathTests
{
    private static readonly QuantParams UnitScale = new(1f, 0);

    [Theory]
    [InlineData(2.5f, 2)]
    [InlineData(3.5f, 4)]
    [InlineData(-2.5f, -2)]
    [InlineData(-3.5f, -4)]
    [InlineData(0.5f, 0)]
    [InlineData(1.5f, 2)]
    [InlineData(2.4f, 2)]
    [InlineData(2.6f, 3)]
    public void Quantize_Halves_RoundToEvenLikeQuantizeLinear(float x, int expected)
    {
        Assert.Equal(expected, QuantMath.Quantize(x, UnitScale, -128, 127));
    }

    [Theory]
    [InlineData(1000f, 127)]
    [InlineData(-1000f, -128)]
    [InlineData(127.4f, 127)]
    [InlineData(-128.4f, -128)]
    [InlineData(float.PositiveInfinity, 127)]
    [InlineData(float.NegativeInfinity, -128)]
    public void Quantize_OutOfRange_Saturates(float x, int expected)
    {
        Assert.Equal(expected, QuantMath.Quantize(x, UnitScale, -128, 127));
    }

    [Fact]
    public void Quantize_ZeroPoint_IsAddedAfterRounding()
    {
        var parameters = new QuantParams(0.5f, 127);

        Assert.Equal(127, QuantMath.Quantize(0f, parameters, 0, 255));
        Assert.Equal(132, QuantMath.Quantize(2.5f, parameters, 0, 255)); // 5 + 127
        Assert.Equal(127, QuantMath.Quantize(0.25f, parameters, 0, 255)); // 0.5 rounds to 0; rounding 127.5 would give 128
        Assert.Equal(0, QuantMath.Quantize(-100f, parameters, 0, 255));
        Assert.Equal(255, QuantMath.Quantize(100f, parameters, 0, 255));
    }

    [Fact]
    public void Quantize_NaN_GoesToTheZeroPoint()
    {
        Assert.Equal(64, QuantMath.Quantize(float.NaN, new QuantParams(0.1f, 64), 0, 255));
    }

    [Fact]
    public void Dequantize_SubtractsZeroPointThenScales()
    {
        var parameters = new QuantParams(0.5f, 128);

        Assert.Equal(-64f, QuantMath.Dequantize(0, parameters));
        Assert.Equal(0f, QuantMath.Dequantize(128, parameters));
        Assert.Equal(63.5f, QuantMath.Dequantize(255, parameters));
    }

    [Fact]
    public void QuantizeThenDequantize_StaysWithinHalfAStep()
    {
        var parameters = QuantMath.AsymmetricUInt8(-1f, 3f);
        for (var x = -1f; x <= 3f; x += 0.01f)
        {
            var roundTrip = QuantMath.Dequantize(QuantMath.Quantize(x, parameters, 0, 255), parameters);

            Assert.InRange(MathF.Abs(roundTrip - x), 0f, (parameters.Scale / 2) + 1e-6f);
        }
    }

    [Fact]
    public void Symmetric_ScaleIsAmaxOver127WithZeroPointZero()
    {
        Assert.Equal(new QuantParams(1f, 0), QuantMath.Symmetric(127f));
        Assert.Equal(new QuantParams(0.5f, 0), QuantMath.Symmetric(63.5f));
        Assert.Equal(new QuantParams(3f / 127f, 0), QuantMath.Symmetric(3f));
    }

    [Fact]
    public void Symmetric_OtherQmax_DividesByIt()
    {
        Assert.Equal(new QuantParams(0.25f, 0), QuantMath.Symmetric(2f, qmax: 8));
    }

    [Fact]
    public void Symmetric_ZeroRange_GetsScaleOneSoBiasScalesStayRepresentable()
    {
        Assert.Equal(new QuantParams(1f, 0), QuantMath.Symmetric(0f));
        Assert.Equal(new QuantParams(1f, 0), QuantMath.Symmetric(1e-40f));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-1f)]
    public void Symmetric_InvalidAmax_Throws(float amax)
    {
        Assert.Throws<QuantizeException>(() => QuantMath.Symmetric(amax));
    }

    [Fact]
    public void AsymmetricUInt8_KnownRange_GivesKnownScaleAndZeroPoint()
    {
        var parameters = QuantMath.AsymmetricUInt8(-1f, 3f);

        Assert.Equal(4f / 255f, parameters.Scale);
        Assert.Equal(64, parameters.ZeroPoint); // 1 / (4/255) = 63.75
    }

    [Fact]
    public void AsymmetricUInt8_PositiveRange_IsExtendedDownToZero()
    {
        var parameters = QuantMath.AsymmetricUInt8(1f, 3f);

        Assert.Equal(3f / 255f, parameters.Scale);
        Assert.Equal(0, parameters.ZeroPoint);
        Assert.Equal(0, QuantMath.Quantize(0f, parameters, 0, 255));
    }

    [Fact]
    public void AsymmetricUInt8_NegativeRange_IsExtendedUpToZero()
    {
        var parameters = QuantMath.AsymmetricUInt8(-3f, -1f);

        Assert.Equal(3f / 255f, parameters.Scale);
        Assert.Equal(255, parameters.ZeroPoint);
        Assert.Equal(0f, QuantMath.Dequantize(QuantMath.Quantize(0f, parameters, 0, 255), parameters));
    }

    [Fact]
    public void AsymmetricUInt8_ReluRange_HasZeroPointZeroAndExactZero()
    {
        var parameters = QuantMath.AsymmetricUInt8(0f, 6f);

        Assert.Equal(new QuantParams(6f / 255f, 0), parameters);
    }

    [Fact]
    public void AsymmetricUInt8_AllZeros_GetsScaleOne()
    {
        Assert.Equal(new QuantParams(1f, 0), QuantMath.AsymmetricUInt8(0f, 0f));
    }

    [Theory]
    [InlineData(1f, -1f)]
    [InlineData(float.NaN, 1f)]
    [InlineData(0f, float.PositiveInfinity)]
    public void AsymmetricUInt8_InvalidRange_Throws(float min, float max)
    {
        Assert.Throws<QuantizeException>(() => QuantMath.AsymmetricUInt8(min, max));
    }
}
