using Edge.Tools.Benchmarking.Streams;

namespace Edge.Tools.Tests.Benchmarking.Streams;

public sealed class StreamBenchOptionsTests
{
    [Theory]
    [InlineData("4", new[] { 4 })]
    [InlineData("1,2,4,8", new[] { 1, 2, 4, 8 })]
    [InlineData(" 8 , 1 ", new[] { 8, 1 })]
    [InlineData("16", new[] { 16 })]
    public void ParseCounts_OneOrAList_InTheOrderGiven(string text, int[] expected)
    {
        Assert.Equal(expected, StreamBenchOptions.ParseCounts(text, 16));
    }

    [Theory]
    [InlineData("0", "expected 1 to 16")]
    [InlineData("17", "asks for 17 streams: expected 1 to 16 (max_streams)")]
    [InlineData("four", "has 'four': expected stream counts")]
    [InlineData("1,,4", "has '': expected stream counts")]
    [InlineData("-2", "has '-2'")]
    [InlineData("2,4,2", "names 2 twice")]
    public void ParseCounts_BadValue_SaysWhatWasWrongAndWhatIsExpected(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => StreamBenchOptions.ParseCounts(text, 16));

        Assert.StartsWith($"--streams '{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ParseRates_NumbersAndMax()
    {
        Assert.Equal([30, 15, 0], StreamBenchOptions.ParseRates("30, 15,max"));
    }

    [Theory]
    [InlineData("30,fast")]
    [InlineData("0")]
    [InlineData("30,,15")]
    public void ParseRates_BadValue_Throws(string text)
    {
        var error = Assert.Throws<FormatException>(() => StreamBenchOptions.ParseRates(text));

        Assert.Contains("expected max or frames per second from 0.1 to 10000 per stream", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("synthetic", 0, "synthetic?seed=1")]
    [InlineData("synthetic?size=64", 2, "synthetic?size=64&seed=3")]
    [InlineData("synthetic?seed=7", 3, "synthetic?seed=7")]
    [InlineData("file:clip.mp4", 1, "file:clip.mp4")]
    public void SourceOf_SyntheticGetsADistinctSeed_OthersAreShared(string source, int index, string expected)
    {
        Assert.Equal(expected, StreamBenchOptions.SourceOf(source, index));
    }

    [Fact]
    public void RateOf_PerStreamRatesRepeat_OrTheCommonRate()
    {
        var bench = new Tools.Benchmarking.BenchOptions { Variants = [], Source = "synthetic", Rate = 25 };
        var common = new StreamBenchOptions { Bench = bench, StreamCounts = [4] };
        var perStream = common with { Rates = [30, 15] };

        Assert.Equal(25, common.RateOf(3));
        Assert.True(common.Paced);
        Assert.Equal([30, 15, 30, 15], Enumerable.Range(0, 4).Select(perStream.RateOf));
        Assert.False((perStream with { Rates = [30, 0] }).Paced);
    }
}
