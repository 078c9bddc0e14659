using Edge.Cli.Service;
using Edge.Runtime.Publishing;

namespace Edge.Cli.Outputs;

/// <summary>systemd's READY=1 and watchdog from the frame loop (fed while the streams <c>watchdog_streams</c> names are alive), STOPPING=1 once it ends; nothing outside systemd.</summary>
internal sealed class SystemdRunOutput(SystemdIntegration systemd) : RunOutput
{
    public override IFrameOutput Output => systemd;

    public static RunOutput Create(RunContext context) => new SystemdRunOutput(SystemdIntegration.ForThisProcess(context.Time, context.Settings.EffectiveStreams(), context.Settings.WatchdogStreams));

    public override void PipelineStopped() => systemd.Stopping();
}
