using Edge.Runtime.Budget;
using Edge.Tools.Charts;
using OpenCvSharp;

namespace Edge.Tools.Benchmarking.Report;

/// <summary>One latency distribution of a variant as the charts draw it: finite samples in ascending order, in milliseconds.</summary>
internal sealed record LatencySeries(string Name, double[] Sorted, Scalar Color, bool Emphasised)
{
    // Palette indices per stage; red (3) is left to the budget line.
    private static readonly int[] StageColors = [0, 1, 2, 4, 5];

    public LatencySummary Summary { get; } = LatencySummary.Of(Sorted);

    public int Count => Sorted.Length;

    /// <summary>Every stage in pipeline order, then end-to-end and bare inference, which are drawn bolder.</summary>
    public static IReadOnlyList<LatencySeries> Of(VariantResult variant)
    {
        var series = new List<LatencySeries>();
        foreach (var stage in Enum.GetValues<PipelineStage>())
        {
            var samples = variant.StageSamples.TryGetValue(stage, out var kept) ? kept : [];
            series.Add(Create(stage.ToString().ToLowerInvariant(), samples, ChartStyle.SeriesColor(StageColors[(int)stage]), emphasised: false));
        }

        series.Add(Create("end-to-end", variant.EndToEndSamples, ChartStyle.Ink, emphasised: true));
        series.Add(Create("bare inference", variant.BareSamples, ChartStyle.SeriesColor(9), emphasised: true));
        return series;
    }

    private static LatencySeries Create(string name, IReadOnlyList<double> samples, Scalar color, bool emphasised)
    {
        var sorted = samples.Where(double.IsFinite).ToArray();
        Array.Sort(sorted);
        return new LatencySeries(name, sorted, color, emphasised);
    }
}
