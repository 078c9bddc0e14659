using Edge.Cli.Service;
using Edge.Runtime.Events;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Cli.Tests.Service;

/// <summary>The watchdog fed only while the streams that must be alive are (a fake notifier and clock; WatchdogSec 2 s).</summary>
public sealed class SystemdWatchdogStreamsTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 4, 7, 0, 0, TimeSpan.Zero));
    private readonly RecordingNotifier notifier = new();

    private static StreamOptions[] Streams(bool backRequired = true) =>
        [new StreamOptions { Id = "front", Source = "synthetic" }, new StreamOptions { Id = "back", Source = "synthetic", Required = backRequired }];

    [Fact]
    public void OnFrame_EveryRequiredStreamAlive_PingsEachHalfPeriod()
    {
        var systemd = Make(Streams());

        var pings = RunBoth(systemd, seconds: 5);

        Assert.Equal(5, pings);
        Assert.Equal("READY=1", notifier.Sent[0]);
    }

    [Fact]
    public void OnFrame_RequiredCameraLost_StopsPingingUntilItRecovers()
    {
        var systemd = Make(Streams());
        RunBoth(systemd, seconds: 2);

        systemd.OnEvent(CameraEvent(PipelineEventKind.CameraLost, "back"));
        Assert.Equal(0, RunFront(systemd, seconds: 5));

        systemd.OnEvent(CameraEvent(PipelineEventKind.CameraRecovered, "back"));
        Assert.True(RunBoth(systemd, seconds: 2) >= 1);
    }

    [Fact]
    public void OnFrame_RequiredStreamStopsDelivering_StopsPingingAfterOnePeriod()
    {
        var systemd = Make(Streams());
        RunBoth(systemd, seconds: 2);

        // No camera_lost (a stuck capture): 'back' is alive for one WatchdogSec after its last frame, then not.
        var pings = RunFront(systemd, seconds: 6);

        Assert.InRange(pings, 1, 2);
        Assert.Equal(0, RunFront(systemd, seconds: 4));
    }

    [Fact]
    public void OnFrame_OptionalCameraLost_KeepsPinging()
    {
        var systemd = Make(Streams(backRequired: false));
        RunBoth(systemd, seconds: 1);

        systemd.OnEvent(CameraEvent(PipelineEventKind.CameraLost, "back"));

        Assert.Equal(4, RunFront(systemd, seconds: 4));
    }

    [Fact]
    public void OnFrame_RuleAny_OneStreamAliveIsEnough()
    {
        var systemd = Make(Streams(), WatchdogStreams.Any);
        RunBoth(systemd, seconds: 1);

        systemd.OnEvent(CameraEvent(PipelineEventKind.CameraLost, "back"));

        Assert.Equal(4, RunFront(systemd, seconds: 4));
    }

    [Fact]
    public void OnFrame_SecondRequiredStreamNeverDelivered_NoPing()
    {
        var systemd = Make(Streams());

        Assert.Equal(0, RunFront(systemd, seconds: 4));
        Assert.Equal(["READY=1"], notifier.Sent);
    }

    [Fact]
    public void OnStreamRemoved_RequiredStreamLeftTheRun_NoLongerHoldsThePingsBack()
    {
        var systemd = Make(Streams());
        RunBoth(systemd, seconds: 2);

        systemd.OnStreamRemoved("back");

        Assert.Equal(4, RunFront(systemd, seconds: 4));
    }

    [Fact]
    public void OnStreamAdded_RequiredStreamJoinedButNeverDelivers_StopsThePings()
    {
        var systemd = Make(Streams());
        RunBoth(systemd, seconds: 1);

        systemd.OnStreamAdded(new StreamOptions { Id = "side", Source = "synthetic" });

        Assert.Equal(0, RunBoth(systemd, seconds: 3));
        Assert.Equal(3, Run(systemd, seconds: 3, "front", "back", "side"));
    }

    private SystemdIntegration Make(StreamOptions[] streams, WatchdogStreams rule = WatchdogStreams.Required) =>
        new(notifier, time, name => name == "WATCHDOG_USEC" ? "2000000" : null, streams, rule);

    /// <summary>Frames of both streams every 100 ms; returns the pings sent meanwhile.</summary>
    private int RunBoth(SystemdIntegration systemd, int seconds) => Run(systemd, seconds, "front", "back");

    private int RunFront(SystemdIntegration systemd, int seconds) => Run(systemd, seconds, "front");

    private int Run(SystemdIntegration systemd, int seconds, params string[] streams)
    {
        var before = notifier.Sent.Count(message => message == "WATCHDOG=1");
        for (var tick = 0; tick < seconds * 10; tick++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            foreach (var stream in streams)
            {
                systemd.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: stream));
            }
        }

        return notifier.Sent.Count(message => message == "WATCHDOG=1") - before;
    }

    private PipelineEvent CameraEvent(PipelineEventKind kind, string stream) =>
        new() { Kind = kind, Stream = stream, Frame = 0, At = time.GetUtcNow(), Source = "synthetic" };

    private sealed class RecordingNotifier : ISystemdNotifier
    {
        public List<string> Sent { get; } = [];

        public bool IsEnabled => true;

        public void Notify(ServiceState state) => Sent.Add(state.ToString());
    }
}
