using System.Globalization;
using Edge.Outputs.Metrics;

namespace Edge.Outputs.Tests.Metrics;

public sealed class PrometheusTextWriterTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData(@"C:\models\a.onnx", @"C:\\models\\a.onnx")]
    [InlineData("say \"hi\"", "say \\\"hi\\\"")]
    [InlineData("two\nlines", @"two\nlines")]
    [InlineData("\\\"\n", "\\\\\\\"\\n")]
    [InlineData("ünïcode {}=,", "ünïcode {}=,")]
    public void EscapeLabelValue_EscapesBackslashQuoteAndLineFeedOnly(string value, string expected) =>
        Assert.Equal(expected, PrometheusTextWriter.EscapeLabelValue(value));

    [Fact]
    public void EscapeHelp_EscapesBackslashAndLineFeedButNotQuotes() =>
        Assert.Equal("a \\\\ \"b\" \\n c", PrometheusTextWriter.EscapeHelp("a \\ \"b\" \n c"));

    [Theory]
    [InlineData(0.001, "0.001")]
    [InlineData(1.0, "1")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void FormatValue_RoundTripsAndSpellsNonFiniteValuesThePrometheusWay(double value, string expected) =>
        Assert.Equal(expected, PrometheusTextWriter.FormatValue(value));

    [Fact]
    public void FamilyAndSamples_WriteHelpTypeAndLabelledLines()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var writer = new PrometheusTextWriter(output);

        writer.Family("edge_x_total", "counter", "Things.");
        writer.Sample("edge_x_total", 3);
        writer.Sample("edge_x_total", 4, ("a", "1"), ("b", "q\""));
        writer.Sample("edge_y", 0.5);

        Assert.Equal(
            "# HELP edge_x_total Things.\n# TYPE edge_x_total counter\nedge_x_total 3\nedge_x_total{a=\"1\",b=\"q\\\"\"} 4\nedge_y 0.5\n",
            output.ToString());
    }
}
