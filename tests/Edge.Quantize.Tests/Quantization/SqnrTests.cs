using Edge.Quantize.Quantization;

namespace Edge.Quantize.Tests.Quantization;

public sealed class SqnrTests
{
    [Fact]
    public void ErrorOfOneTenthOnUnitSignal_Is20Decibels()
    {
        Assert.Equal(20.0, QuantMath.Sqnr([1f, 1f, 1f, 1f], [0.9f, 1.1f, 0.9f, 1.1f]), 4);
    }

    [Fact]
    public void ExactlyRepresentableValues_GiveTheExactRatio()
    {
        // Signal 3² + 4² = 25, noise 0.5² = 0.25: ratio 100.
        Assert.Equal(20.0, QuantMath.Sqnr([3f, 4f], [3f, 4.5f]), 12);
    }

    [Fact]
    public void HalvingTheError_Adds6Decibels()
    {
        float[] reference = [1f, -2f, 3f, -4f];
        var coarse = QuantMath.Sqnr(reference, [1.5f, -2.5f, 3.5f, -4.5f]);
        var fine = QuantMath.Sqnr(reference, [1.25f, -2.25f, 3.25f, -4.25f]);

        Assert.Equal(20 * Math.Log10(2), fine - coarse, 9);
    }

    [Fact]
    public void Identical_IsPositiveInfinity()
    {
        Assert.Equal(double.PositiveInfinity, QuantMath.Sqnr([1f, 2f], [1f, 2f]));
        Assert.Equal(double.PositiveInfinity, QuantMath.Sqnr([0f, 0f], [0f, 0f]));
        Assert.Equal(double.PositiveInfinity, QuantMath.Sqnr([], []));
    }

    [Fact]
    public void AllZeroReferenceWithError_IsNegativeInfinity()
    {
        Assert.Equal(double.NegativeInfinity, QuantMath.Sqnr([0f, 0f], [0f, 0.1f]));
    }

    [Fact]
    public void NaN_IsNaN()
    {
        Assert.True(double.IsNaN(QuantMath.Sqnr([1f, 2f], [1f, float.NaN])));
    }

    [Fact]
    public void DifferentLengths_Throw()
    {
        Assert.Throws<ArgumentException>(() => QuantMath.Sqnr([1f, 2f], [1f]));
    }
}
