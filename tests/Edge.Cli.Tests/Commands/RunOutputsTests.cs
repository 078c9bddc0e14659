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

    private RunOutputs Create(RunLines lines) =>
        RunOutputs.Create(new RunContext(new RunSettings { Output = output }.Resolve(), test.Load(), lines, NullLoggerFactory.Instance, TimeProvider.System));
}
