using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Hosting.Systemd;

namespace Edge.Cli.Service;

/// <summary>
/// systemd <c>Type=notify</c> (deploy/edge.service): READY=1 once the first frame was processed (not when the
/// process started: a model that loads but a camera that never delivers is not ready), WATCHDOG=1 pinged from the
/// frame loop at half of <c>WatchdogSec</c> so a stalled pipeline gets restarted, STOPPING=1 on shutdown. Does
/// nothing when not started by systemd (no <c>NOTIFY_SOCKET</c>).
/// </summary>
internal sealed class SystemdIntegration : IFrameOutput
{
    private static readonly ServiceState Watchdog = new("WATCHDOG=1");

    private readonly ISystemdNotifier notifier;
    private readonly TimeProvider time;
    private readonly long pingEveryTicks;
    private long lastPing;
    private bool ready;

    public SystemdIntegration(ISystemdNotifier notifier, TimeProvider time, Func<string, string?> environment)
    {
        this.notifier = notifier;
        this.time = time;
        // systemd passes WatchdogSec as WATCHDOG_USEC; ping twice per period, as sd_watchdog_enabled(3) advises.
        pingEveryTicks = long.TryParse(environment("WATCHDOG_USEC"), out var microseconds) && microseconds > 0
            ? (long)(microseconds / 2e6 * time.TimestampFrequency)
            : 0;
    }

    public bool IsEnabled => notifier.IsEnabled;

    public static SystemdIntegration ForThisProcess(TimeProvider time) => new(new SystemdNotifier(), time, Environment.GetEnvironmentVariable);

    public void OnFrame(in FrameReport report)
    {
        if (!notifier.IsEnabled)
        {
            return;
        }

        if (!ready)
        {
            ready = true;
            notifier.Notify(ServiceState.Ready);
        }

        if (pingEveryTicks > 0)
        {
            var now = time.GetTimestamp();
            if (now - lastPing >= pingEveryTicks)
            {
                lastPing = now;
                notifier.Notify(Watchdog);
            }
        }
    }

    public void Stopping()
    {
        if (notifier.IsEnabled)
        {
            notifier.Notify(ServiceState.Stopping);
        }
    }
}
