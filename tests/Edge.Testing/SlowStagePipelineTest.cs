using Microsoft.Extensions.Time.Testing;

namespace Edge.Testing;

/// <summary>
/// What pipeline tests on a fake clock start from: the tiny model's harness, the clock, a sink for label sets, one for
/// events, and the stage that takes as long as a test says.
/// </summary>
public abstract class SlowStagePipelineTest : IDisposable
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    protected SlowStagePipelineTest() => Slow = new FakeSlowStage(Time);

    internal PipelineHarness Harness { get; } = new();

    protected FakeTimeProvider Time { get; } = new(Start);

    internal CollectingSink Sink { get; } = new();

    internal CollectingEventSink Events { get; } = new();

    internal FakeSlowStage Slow { get; }

    public void Dispose()
    {
        Harness.Dispose();
        GC.SuppressFinalize(this);
    }
}
