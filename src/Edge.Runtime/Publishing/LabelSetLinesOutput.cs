using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Publishing;

/// <summary>
/// Writes each published label set as a JSON line (stdout or a file): a stream routed to lines of its own writes
/// there, every other stream to the run's lines. Does not own the lines.
/// </summary>
public sealed class LabelSetLinesOutput : IFrameOutput
{
    private readonly JsonLinesSink lines;

    private readonly string[] routedStreams;

    private readonly JsonLinesSink[] routedLines;

    public LabelSetLinesOutput(JsonLinesSink lines)
        : this(lines, new Dictionary<string, JsonLinesSink>())
    {
    }

    /// <param name="lines">Where label sets of streams not in <paramref name="byStream"/> go.</param>
    /// <param name="byStream">Stream id to the lines that stream's label sets go to instead (several ids may share one).</param>
    public LabelSetLinesOutput(JsonLinesSink lines, IReadOnlyDictionary<string, JsonLinesSink> byStream)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(byStream);
        this.lines = lines;
        routedStreams = [.. byStream.Select(route => route.Key)];
        routedLines = [.. byStream.Select(route => route.Value)];
    }

    public void OnFrame(in FrameReport report)
    {
        if (!report.Message.IsEmpty)
        {
            LinesOf(report.Stream).Publish(report.Message.Span);
        }
    }

    /// <summary>A scan of the few routed streams (bounded by max_streams): no hashing, nothing allocated per frame.</summary>
    private JsonLinesSink LinesOf(string stream)
    {
        for (var i = 0; i < routedStreams.Length; i++)
        {
            if (string.Equals(routedStreams[i], stream, StringComparison.Ordinal))
            {
                return routedLines[i];
            }
        }

        return lines;
    }
}
