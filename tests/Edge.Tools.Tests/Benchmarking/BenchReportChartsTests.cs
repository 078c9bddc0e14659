using Edge.Tools.Benchmarking.Report;
using Edge.Tools.Charts;

namespace Edge.Tools.Tests.Benchmarking;

/// <summary>The pieces behind the bench report's charts and file names.</summary>
public sealed class BenchReportChartsTests
{
    [Theory]
    [InlineData("models/mobilenet-int8@tensorrt", "models-mobilenet-int8-tensorrt")]
    [InlineData("/abs/Path With Spaces/@CUDA", "abs-path-with-spaces-cuda")]
    [InlineData("@@@", "variant")]
    [InlineData("modèle", "mod-le")]
    public void Slug_AnyName_KeepsLowerCaseLettersAndDigitsJoinedByDashes(string name, string expected) =>
        Assert.Equal(expected, VariantChartFiles.Slug(name));

    [Fact]
    public void Slug_LongName_IsCutShortWithoutATrailingDash()
    {
        var slug = VariantChartFiles.Slug(string.Concat(Enumerable.Repeat("abcdefg/", 20)));

        Assert.True(slug.Length <= 48);
        Assert.False(slug.EndsWith('-'));
    }

    [Fact]
    public void LinearAxis_Range_WidensToRoundSteps()
    {
        var axis = Axis.Linear(0, 7.3, 6);

        Assert.Equal([0, 2, 4, 6, 8], axis.Ticks());
        Assert.Equal("4", axis.Label(4));
        Assert.Equal(0.5, axis.Fraction(4), 6);
    }

    [Fact]
    public void LinearAxis_SingleValue_GetsARangeAroundIt()
    {
        var axis = Axis.Linear(5, 5, 4);

        Assert.True(axis.Min < 5 && axis.Max > 5);
    }

    [Fact]
    public void LogAxis_Range_RunsFromDecadeToDecade()
    {
        var axis = Axis.Log(0.013, 42);

        Assert.True(axis.Logarithmic);
        Assert.Equal(["0.01", "0.1", "1", "10", "100"], axis.Ticks().Select(axis.Label));
        Assert.Equal(0.5, axis.Fraction(1), 6);
        Assert.Equal(0, axis.Fraction(0));
        Assert.Equal(1, axis.Fraction(1e6));
    }

    [Fact]
    public void CdfAxis_SpanOverFiftyTimes_IsLogarithmic()
    {
        var series = new[] { Series("queue", 0.01, 0.02), Series("end-to-end", 5, 9) };

        Assert.True(BenchCharts.CdfAxis(series, budgetMs: 20).Logarithmic);
    }

    [Fact]
    public void CdfAxis_NarrowSpan_IsLinearFromZeroAndShowsANearBudget()
    {
        var axis = BenchCharts.CdfAxis([Series("end-to-end", 5, 9)], budgetMs: 12);

        Assert.False(axis.Logarithmic);
        Assert.Equal(0, axis.Min);
        Assert.True(axis.Contains(12));
    }

    [Fact]
    public void CdfAxis_FarBudget_IsLeftOffRatherThanSqueezingTheSamples()
    {
        var axis = BenchCharts.CdfAxis([Series("end-to-end", 5, 9)], budgetMs: 1000);

        Assert.False(axis.Contains(1000));
    }

    private static LatencySeries Series(string name, params double[] sorted) => new(name, sorted, ChartStyle.Ink, Emphasised: false);
}
