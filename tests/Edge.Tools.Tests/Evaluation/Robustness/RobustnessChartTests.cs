using System.Globalization;
using System.Xml.Linq;
using Edge.Tools.Evaluation.Robustness;
using static Edge.Tools.Tests.Evaluation.Robustness.SyntheticRobustness;

namespace Edge.Tools.Tests.Evaluation.Robustness;

/// <summary>The SVG chart: well-formed, one bar per family and metric at the right height, clean reference lines, family names.</summary>
public sealed class RobustnessChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Write_Result_OneBarPerFamilyPerMetric()
    {
        var svg = Draw(Result(("clean", "clean", Perfect), ("tint", "appearance", Reversed), ("out-of-context", "context", Reversed)));

        var bars = svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "bar").ToArray();
        Assert.Equal(6, bars.Length);
        Assert.Equal(
            [("clean", "mAP"), ("clean", "OF1"), ("tint", "mAP"), ("tint", "OF1"), ("out-of-context", "mAP"), ("out-of-context", "OF1")],
            bars.Select(b => ((string?)b.Attribute("data-family"), (string?)b.Attribute("data-metric"))));
    }

    [Fact]
    public void Write_Result_BarHeightsAreProportionalToTheValues()
    {
        var svg = Draw(Result(("clean", "clean", Perfect), ("tint", "appearance", Reversed)));

        var heights = svg.Descendants(Svg + "rect")
            .Where(r => (string?)r.Attribute("class") == "bar")
            .ToDictionary(b => ((string)b.Attribute("data-family")!, (string)b.Attribute("data-metric")!), b => Number(b, "height"));
        var full = heights[("clean", "mAP")];
        Assert.True(full > 100, $"a 100 % bar is {full} px high");
        Assert.Equal(full, heights[("clean", "OF1")]);
        Assert.Equal(full / 2, heights[("tint", "mAP")], 1);
        Assert.Equal(0, heights[("tint", "OF1")]);
    }

    [Fact]
    public void Write_Result_CleanLevelsAreDashedReferenceLinesAtTheCleanBarTops()
    {
        var svg = Draw(Result(("clean", "clean", Reversed), ("tint", "appearance", Perfect)));

        var references = svg.Descendants(Svg + "line").Where(l => (string?)l.Attribute("class") == "reference").ToArray();
        Assert.Equal(["mAP", "OF1"], references.Select(l => (string?)l.Attribute("data-metric")));
        var cleanBar = svg.Descendants(Svg + "rect").Single(r => (string?)r.Attribute("data-family") == "clean" && (string?)r.Attribute("data-metric") == "mAP");
        Assert.Equal(Number(cleanBar, "y"), Number(references[0], "y1"));
        Assert.Equal(Number(cleanBar, "y"), Number(references[0], "y2"));
        Assert.NotNull(references[0].Attribute("stroke-dasharray"));
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "clean mAP 50.0");
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "clean OF1 0.0");
    }

    [Fact]
    public void Write_Result_LabelsEveryFamilyInOrder()
    {
        var svg = Draw(Result(("clean", "clean", Perfect), ("tint", "appearance", Reversed), ("out-of-context", "context", Reversed)));

        var labels = svg.Descendants(Svg + "text").Where(t => (string?)t.Attribute("class") == "family").Select(t => t.Value);
        Assert.Equal(["clean", "tint", "out-of-context"], labels);
    }

    [Fact]
    public void Write_UndefinedMap_DrawsAnEmptyBar()
    {
        var svg = Draw(Result(("clean", "clean", Perfect), ("noise", "appearance", NoPositives)));

        var bar = svg.Descendants(Svg + "rect").Single(r => (string?)r.Attribute("data-family") == "noise" && (string?)r.Attribute("data-metric") == "mAP");
        Assert.Equal(0, Number(bar, "height"));
        Assert.Equal("noise (appearance): mAP undefined", bar.Element(Svg + "title")?.Value);
    }

    [Fact]
    public void Write_FamilyNameWithMarkup_IsEscaped()
    {
        var svg = Draw(Result(("clean", "clean", Perfect), ("<tint & co>", "appearance", Reversed)));

        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "<tint & co>");
    }

    /// <summary>Writes the chart and parses it back: parsing fails on anything that is not well-formed XML.</summary>
    private static XElement Draw(RobustnessResult result)
    {
        using var stream = new MemoryStream();
        RobustnessChart.Write(stream, result, "tiny-multilabel");
        stream.Position = 0;
        var document = XDocument.Load(stream);
        Assert.Equal(Svg + "svg", document.Root!.Name);
        return document.Root;
    }

    private static double Number(XElement element, string attribute) =>
        double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);
}
