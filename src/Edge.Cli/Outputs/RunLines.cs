using Edge.Cli.Commands;
using Edge.Cli.Configuration;
using Edge.Outputs.Metrics;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging;

namespace Edge.Cli.Outputs;

/// <summary>
/// The JSON-lines targets of a run: the label sets (<c>--output</c>), the events when <c>--events</c> names a target,
/// and the label sets of each stream with its own <c>output</c>. Each target is opened once, however many settings
/// name it (two streams naming one file share its writer). Any reader going away (a broken pipe) stops the run.
/// </summary>
internal sealed class RunLines : IDisposable
{
    private readonly IReadOnlyList<LineOutput> opened;

    private RunLines(IReadOnlyList<LineOutput> opened, JsonLinesSink? events, IReadOnlyDictionary<string, JsonLinesSink> byStream)
    {
        this.opened = opened;
        Events = events;
        ByStream = byStream;
    }

    public JsonLinesSink LabelSets => opened[0].Sink;

    /// <summary>Where events go as lines: their own target, a target label sets also go to, or nowhere (null).</summary>
    public JsonLinesSink? Events { get; }

    /// <summary>Stream id to the lines its label sets go to instead of <see cref="LabelSets"/>.</summary>
    public IReadOnlyDictionary<string, JsonLinesSink> ByStream { get; }

    /// <summary>Each target and the setting that named it first, for the output metrics.</summary>
    public IReadOnlyList<LineOutput> Named => opened;

    /// <summary>The target whose reader went away, if one did.</summary>
    public JsonLinesSink? ReaderClosed => opened.FirstOrDefault(target => target.Sink.ReaderClosed)?.Sink;

    /// <exception cref="UserError">A target cannot be written.</exception>
    /// <exception cref="DirectoryNotFoundException">A target's folder does not exist.</exception>
    public static RunLines Open(string output, string? eventsPath, TimeProvider time, ILoggerFactory loggers, IReadOnlyList<StreamOutput>? streamOutputs = null)
    {
        var targets = new Targets(time, loggers);
        try
        {
            targets.Open("--output", "output", output, "edge.output");
            var events = eventsPath is { } path ? targets.Open("--events", "events", path, "edge.events") : null;
            var byStream = new Dictionary<string, JsonLinesSink>(StringComparer.Ordinal);
            foreach (var stream in streamOutputs ?? [])
            {
                byStream[stream.Stream] = targets.Open(stream.Key, stream.Key, stream.Target, "edge.output");
            }

            return new RunLines(targets.Opened, events, byStream);
        }
        catch
        {
            targets.Dispose();
            throw;
        }
    }

    /// <summary>The label-set output: each stream's lines to its own target, the others to <see cref="LabelSets"/>.</summary>
    public LabelSetLinesOutput LabelSetOutput() => new(LabelSets, ByStream);

    /// <summary>Cancelled on <paramref name="cancel"/> or when a reader goes away.</summary>
    public CancellationTokenSource StopOn(CancellationToken cancel) =>
        CancellationTokenSource.CreateLinkedTokenSource([cancel, .. opened.Select(target => target.Sink.ReaderGone)]);

    /// <summary>Lines the disk had no room for, per target, when there were any.</summary>
    public void PrintNotWritten(TextWriter summary)
    {
        foreach (var target in opened)
        {
            if (target.Sink.NotWritten > 0)
            {
                summary.WriteLine($"{target.Sink.Name}: {target.Sink.Written} lines written, {target.Sink.NotWritten} not written (no space left on the device)");
            }
        }
    }

    public void Dispose() => Targets.Dispose(opened);

    /// <summary>The targets opened so far, each once: a path is compared in full, so <c>a.jsonl</c> and <c>./a.jsonl</c> share.</summary>
    private sealed class Targets(TimeProvider time, ILoggerFactory loggers) : IDisposable
    {
        private readonly Dictionary<string, JsonLinesSink> byTarget = new(StringComparer.Ordinal);

        private readonly List<LineOutput> opened = [];

        public IReadOnlyList<LineOutput> Opened => opened;

        /// <param name="name">How messages name the setting: <c>--output</c>, <c>streams[1].output</c>.</param>
        /// <param name="metricName">How the output metrics name it.</param>
        public JsonLinesSink Open(string name, string metricName, string target, string logger)
        {
            var key = target == "-" ? target : Path.GetFullPath(target);
            if (byTarget.TryGetValue(key, out var shared))
            {
                return shared;
            }

            var sink = WriteTarget.Open(name, target, () => OpenSink(name, target, logger));
            byTarget.Add(key, sink);
            opened.Add(new LineOutput(metricName, sink));
            return sink;
        }

        public void Dispose() => Dispose(opened);

        public static void Dispose(IReadOnlyList<LineOutput> targets)
        {
            for (var i = targets.Count - 1; i >= 0; i--)
            {
                targets[i].Sink.Dispose();
            }
        }

        private JsonLinesSink OpenSink(string name, string target, string logger)
        {
            try
            {
                return JsonLinesSink.Open(target, time, loggers.CreateLogger(logger));
            }
            catch (DirectoryNotFoundException exception) when (name != "--output")
            {
                throw new DirectoryNotFoundException($"{name} folder '{Path.GetDirectoryName(Path.GetFullPath(target))}' does not exist: expected - (stdout) or a file in an existing folder", exception);
            }
        }
    }
}
