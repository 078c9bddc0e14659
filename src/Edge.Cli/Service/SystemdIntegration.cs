using Edge.Outputs.Streams;
using Edge.Runtime.Events;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Hosting.Systemd;

namespace Edge.Cli.Service;

/// <summary>
/// systemd <c>Type=notify</c> (deploy/edge.service): READY=1 once the first frame was processed (not when the
/// process started: a model that loads but a camera that never delivers is not ready), WATCHDOG=1 pinged from the
/// frame loop at half of <c>WatchdogSec</c> so a stalled pipeline gets restarted, STOPPING=1 on shutdown. Does
/// nothing when not started by systemd (no <c>NOTIFY_SOCKET</c>). With several streams the watchdog is fed only while
/// the streams that must be alive are (<see cref="WatchdogStreams"/>): a stream is alive while its camera delivers (no
/// <c>camera_lost</c> since its last <c>camera_recovered</c>) and one of its frames was processed within one
/// <c>WatchdogSec</c>; a lost required camera stops the pings, and systemd restarts the service one period later.
/// </summary>
internal sealed class SystemdIntegration : IFrameOutput
{
    private static readonly ServiceState Watchdog = new("WATCHDOG=1");

    private readonly ISystemdNotifier notifier;
    private readonly TimeProvider time;
    private readonly long pingEveryTicks;
    private readonly TimeSpan alivePeriod;
    private readonly StreamLiveness streams;
    private readonly WatchdogStreams rule;
    private long lastPing;
    private bool ready;

    /// <param name="streams">The configured streams (<c>EffectiveStreams()</c>); the one default stream when null.</param>
    public SystemdIntegration(ISystemdNotifier notifier, TimeProvider time, Func<string, string?> environment, IReadOnlyList<StreamOptions>? streams = null, WatchdogStreams rule = WatchdogStreams.Required)
    {
        this.notifier = notifier;
        this.time = time;
        this.rule = rule;
        this.streams = new StreamLiveness(streams ?? [new StreamOptions { Id = StreamId.Default, Source = "" }], time);
        // systemd passes WatchdogSec as WATCHDOG_USEC; ping twice per period, as sd_watchdog_enabled(3) advises.
        pingEveryTicks = long.TryParse(environment("WATCHDOG_USEC"), out var microseconds) && microseconds > 0
            ? (long)(microseconds / 2e6 * time.TimestampFrequency)
            : 0;
        alivePeriod = time.GetElapsedTime(0, pingEveryTicks * 2);
    }

    public bool IsEnabled => notifier.IsEnabled;

    public static SystemdIntegration ForThisProcess(TimeProvider time, IReadOnlyList<StreamOptions> streams, WatchdogStreams rule) =>
        new(new SystemdNotifier(), time, Environment.GetEnvironmentVariable, streams, rule);

    public void OnFrame(in FrameReport report)
    {
        if (!notifier.IsEnabled)
        {
            return;
        }

        streams.RecordFrame(report.Stream);
        if (!ready)
        {
            ready = true;
            notifier.Notify(ServiceState.Ready);
        }

        if (pingEveryTicks > 0)
        {
            var now = time.GetTimestamp();
            if (now - lastPing >= pingEveryTicks && MustBeAliveAreAlive())
            {
                lastPing = now;
                notifier.Notify(Watchdog);
            }
        }
    }

    /// <summary>Follows each stream's camera; comes on the capture threads, possibly several at once.</summary>
    public void OnEvent(in PipelineEvent pipelineEvent) => streams.RecordEvent(pipelineEvent);

    /// <summary>A stream joined the run: it must be alive too (when required) once its first frame had time to come.</summary>
    public void OnStreamAdded(StreamOptions stream) => streams.Add(stream);

    /// <summary>A stream left the run: its camera no longer keeps the watchdog from being fed.</summary>
    public void OnStreamRemoved(string stream) => streams.Remove(stream);

    public void Stopping()
    {
        if (notifier.IsEnabled)
        {
            notifier.Notify(ServiceState.Stopping);
        }
    }

    private bool MustBeAliveAreAlive() => rule == WatchdogStreams.Any ? streams.AnyAlive(alivePeriod) : streams.RequiredAlive(alivePeriod);
}
