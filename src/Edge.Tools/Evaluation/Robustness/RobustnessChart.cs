using System.Globalization;
using Edge.Tools.Charts;
using static Edge.Tools.Charts.ChartStyle;

namespace Edge.Tools.Evaluation.Robustness;

/// <summary>
/// <c>edge eval --robustness --plot FILE.svg</c>: for each family a group of two bars, mAP and OF1, on a 0-100 % axis,
/// with the clean family's levels as dashed reference lines, so every family's drop reads as the distance below the
/// line. Each bar is a <c>rect</c> of class <c>bar</c> with <c>data-family</c> and <c>data-metric</c>; each reference
/// line a <c>line</c> of class <c>reference</c>. A bar whose value is undefined has height 0.
/// </summary>
public static class RobustnessChart
{
    private const int Left = 56, Top = 76, PlotHeight = 260, Bottom = 120, Right = 120, Group = 64, BarWidth = 22, BarGap = 4, MinimumWidth = 480;

    private static readonly (string Name, Func<MetricsReport, double> Value)[] Metrics =
    [
        ("mAP", m => m.MeanAp),
        ("OF1", m => m.OF1),
    ];

    public static void Write(string path, RobustnessResult result, string modelName)
    {
        using var stream = File.Create(path);
        Write(stream, result, modelName);
    }

    public static void Write(Stream stream, RobustnessResult result, string modelName)
    {
        var families = result.Families;
        var plotWidth = families.Count * Group;
        using var svg = new SvgCanvas(stream, Math.Max(MinimumWidth, Left + plotWidth + Right), Top + PlotHeight + Bottom);
        var axis = Axis.Linear(0, 100, 5);
        double Y(double value) => Top + PlotHeight - (axis.Fraction(double.IsFinite(value) ? value : 0) * PlotHeight);

        svg.Text(Left, 20, "mAP and OF1 per robustness family (%); dashed: the clean family", 14);
        svg.Text(Left, 38, $"{modelName} on robustness set {Path.GetFileName(result.Set.Directory)} (split {result.Set.Split}, seed {result.Set.Seed})", 11);
        for (var series = 0; series < Metrics.Length; series++)
        {
            var x = Left + (series * 70);
            svg.Rect(x, 50, 12, 12, Hex(SeriesColor(series)));
            svg.Text(x + 16, 61, Metrics[series].Name, 12);
        }

        foreach (var tick in axis.Ticks())
        {
            svg.Line(Left, Y(tick), Left + plotWidth, Y(tick), Hex(Grid));
            svg.Text(Left - 6, Y(tick) + 4, axis.Label(tick), 11, "end");
        }

        for (var index = 0; index < families.Count; index++)
        {
            var family = families[index];
            var groupLeft = Left + (index * Group) + ((Group - (Metrics.Length * BarWidth) - ((Metrics.Length - 1) * BarGap)) / 2.0);
            for (var series = 0; series < Metrics.Length; series++)
            {
                var (name, valueOf) = Metrics[series];
                var value = valueOf(family.Metrics);
                var text = double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture) : "undefined";
                svg.Rect(
                    groupLeft + (series * (BarWidth + BarGap)),
                    Y(value),
                    BarWidth,
                    Top + PlotHeight - Y(value),
                    Hex(SeriesColor(series)),
                    $"{family.Family.Name} ({family.Family.Kind}): {name} {text}",
                    ("class", "bar"),
                    ("data-family", family.Family.Name),
                    ("data-metric", name));
            }

            var centre = Left + (index * Group) + (Group / 2.0);
            svg.Text(centre + 4, Top + PlotHeight + 14, family.Family.Name, 11, "end", -40, attributes: [("class", "family")]);
        }

        svg.Line(Left, Top, Left, Top + PlotHeight, Hex(Ink));
        svg.Line(Left, Top + PlotHeight, Left + plotWidth, Top + PlotHeight, Hex(Ink));
        var clean = result.Summary.Clean;
        double? previousCaption = null;
        for (var series = 0; series < Metrics.Length; series++)
        {
            var (name, valueOf) = Metrics[series];
            var value = valueOf(clean);
            if (!double.IsFinite(value))
            {
                continue;
            }

            var color = Hex(SeriesColor(series));
            svg.Line(Left, Y(value), Left + plotWidth, Y(value), color, 1.5, dashed: true, ("class", "reference"), ("data-metric", name));
            // Two clean levels a few points apart would print their captions on top of each other.
            var caption = Y(value) + 4;
            if (previousCaption is { } above && Math.Abs(caption - above) < 13)
            {
                caption = above + 13;
            }

            svg.Text(Left + plotWidth + 6, caption, $"clean {name} {value.ToString("F1", CultureInfo.InvariantCulture)}", 11, fill: color);
            previousCaption = caption;
        }
    }
}
