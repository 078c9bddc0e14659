using Edge.Cli.Commands;
using Edge.Outputs.Metrics;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging;

namespace Edge.Cli.Outputs;

/// <summary>
/// The JSON-lines streams of a run: the label sets (<c>--output</c>) and, when <c>--events</c> names another
/// target, the events. Either reader going away (a broken pipe) stops the run.
/// </summary>
internal sealed class RunLines : IDisposable
{
    private readonly JsonLinesSink? ownEvents;

    private RunLines(JsonLinesSink labelSets, JsonLinesSink? ownEvents, bool events)
    {
        LabelSets = labelSets;
        this.ownEvents = ownEvents;
        Events = events ? ownEvents ?? labelSets : null;
    }

    public JsonLinesSink LabelSets { get; }

    /// <summary>Where events go as lines: their own target, the label-set stream, or nowhere (null).</summary>
    public JsonLinesSink? Events { get; }

    /// <summary>Each stream and the flag that named it, for the output metrics.</summary>
    public IReadOnlyList<LineOutput> Named => ownEvents is null ? [new LineOutput("output", LabelSets)] : [new LineOutput("output", LabelSets), new LineOutput("events", ownEvents)];

    /// <summary>The stream whose reader went away, if one did.</summary>
    public JsonLinesSink? ReaderClosed => LabelSets.ReaderClosed ? LabelSets : ownEvents is { ReaderClosed: true } ? ownEvents : null;

    /// <exception cref="UserError">A target cannot be written.</exception>
    public static RunLines Open(string output, string? eventsPath, TimeProvider time, ILoggerFactory loggers)
    {
        var labelSets = WriteTarget.Open("--output", output, () => JsonLinesSink.Open(output, time, loggers.CreateLogger("edge.output")));
        try
        {
            var ownEvents = eventsPath is { } path && path != output
                ? WriteTarget.Open("--events", path, () => JsonLinesSink.Open(path, time, loggers.CreateLogger("edge.events")))
                : null;
            return new RunLines(labelSets, ownEvents, eventsPath is not null);
        }
        catch
        {
            labelSets.Dispose();
            throw;
        }
    }

    /// <summary>Cancelled on <paramref name="cancel"/> or when a reader goes away.</summary>
    public CancellationTokenSource StopOn(CancellationToken cancel) =>
        CancellationTokenSource.CreateLinkedTokenSource(cancel, LabelSets.ReaderGone, ownEvents?.ReaderGone ?? CancellationToken.None);

    /// <summary>Lines the disk had no room for, per stream, when there were any.</summary>
    public void PrintNotWritten(TextWriter summary)
    {
        PrintNotWritten(summary, LabelSets);
        if (ownEvents is not null)
        {
            PrintNotWritten(summary, ownEvents);
        }
    }

    public void Dispose()
    {
        ownEvents?.Dispose();
        LabelSets.Dispose();
    }

    private static void PrintNotWritten(TextWriter summary, JsonLinesSink sink)
    {
        if (sink.NotWritten > 0)
        {
            summary.WriteLine($"{sink.Name}: {sink.Written} lines written, {sink.NotWritten} not written (no space left on the device)");
        }
    }
}
