using Edge.Cli.Configuration;
using Edge.Cli.Outputs;
using Edge.Cli.Service;
using Edge.Runtime.Budget;
using Edge.Runtime.Events;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Cli.Tests.Commands;

/// <summary><c>edge run</c>'s outputs: one registration per kind, made from the settings, in the order frames reach them.</summary>
public sealed class RunOutputsTests : IDisposable
{
    private readonly TestBundle test = TestBundle.Create();
    private readonly string output = Path.GetTempFileName();
    private readonly string events = Path.GetTempFileName();

    public void Dispose()
    {
        test.Dispose();
        File.Delete(output);
        File.Delete(events);
    }

    [Fact]
    public void DefaultSettings_MakeLabelSetLinesEventLogMissedDeadlineWatchAndSystemd_InThatOrder()
    {
        using var lines = RunLines.Open(output, eventsPath: null, TimeProvider.System, NullLoggerFactory.Instance);
        using var outputs = Create(lines);

        Assert.Equal(
            [typeof(LabelSetLinesOutput), typeof(EventLogOutput), typeof(MissedDeadlineWatch), typeof(SystemdIntegration)],
            outputs.FrameOutputs.Select(o => o.GetType()));
        Assert.NotNull(outputs.Find<MissedDeadlineWatch>());
        Assert.Null(outputs.Gate);
        Assert.Null(lines.Events);
    }

    [Fact]
    public void Events_ToTheOutputsTarget_ShareItsStream_AfterTheEventLog()
    {
        using var lines = RunLines.Open(output, eventsPath: output, TimeProvider.System, NullLoggerFactory.Instance);
        using var outputs = Create(lines);

        Assert.Same(lines.LabelSets, lines.Events);
        Assert.Equal(["output"], lines.Named.Select(named => named.Flag));
        var kinds = outputs.FrameOutputs.Select(o => o.GetType()).ToList();
        Assert.Equal(kinds.IndexOf(typeof(EventLogOutput)) + 1, kinds.IndexOf(typeof(EventLinesOutput)));
    }

    [Fact]
    public void Events_ToAnotherFile_GetTheirOwnStream()
    {
        using var lines = RunLines.Open(output, eventsPath: events, TimeProvider.System, NullLoggerFactory.Instance);
        using var outputs = Create(lines);

        Assert.NotSame(lines.LabelSets, lines.Events);
        Assert.Equal(events, lines.Events!.Name);
        Assert.Equal(["output", "events"], lines.Named.Select(named => named.Flag));
        Assert.Single(outputs.FrameOutputs.OfType<EventLinesOutput>());
    }

    [Fact]
    public void StreamOutputs_NamingOneFile_ShareOneWriter_AndOthersKeepTheRunsOutput()
    {
        var rear = Path.Combine(test.Directory, "rear.jsonl");
        StreamOutput[] streams = [new("streams[1].output", "rear", rear), new("streams[3].output", "right", Path.Combine(test.Directory, ".", "rear.jsonl")), new("streams[4].output", "far", output)];

        using var lines = RunLines.Open(output, eventsPath: null, TimeProvider.System, NullLoggerFactory.Instance, streams);

        Assert.Same(lines.ByStream["rear"], lines.ByStream["right"]);
        Assert.Same(lines.LabelSets, lines.ByStream["far"]);
        Assert.Equal(rear, lines.ByStream["rear"].Name);
        Assert.Equal(["output", "streams[1].output"], lines.Named.Select(named => named.Flag));
        Assert.IsType<LabelSetLinesOutput>(lines.LabelSetOutput());
    }

    [Fact]
    public void StreamOutput_InAMissingFolder_ThrowsNamingTheKeyAndPath()
    {
        var target = Path.Combine(test.Directory, "no-such-folder", "rear.jsonl");

        var error = Assert.Throws<DirectoryNotFoundException>(() => RunLines.Open(output, eventsPath: null, TimeProvider.System, NullLoggerFactory.Instance, [new("streams[1].output", "rear", target)]));

        Assert.StartsWith($"streams[1].output folder '{Path.GetDirectoryName(target)}' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StreamOutput_ThatIsAFolder_ThrowsInvalidArgumentsNamingTheKeyAndPath()
    {
        var error = Assert.Throws<Edge.Cli.Commands.UserError>(() => RunLines.Open(output, eventsPath: null, TimeProvider.System, NullLoggerFactory.Instance, [new("streams[2].output", "left", test.Directory)]));

        Assert.Equal(Edge.Cli.Commands.ExitCode.InvalidArguments, error.ExitCode);
        Assert.StartsWith($"streams[2].output '{test.Directory}' cannot be written", error.Message, StringComparison.Ordinal);
    }

    private RunOutputs Create(RunLines lines) =>
        RunOutputs.Create(new RunContext(new RunSettings { Output = output }.Resolve(), test.Load(), lines, NullLoggerFactory.Instance, TimeProvider.System));
}
