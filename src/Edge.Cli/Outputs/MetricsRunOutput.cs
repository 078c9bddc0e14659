using Edge.Outputs.Metrics;
using Edge.Runtime.Publishing;

namespace Edge.Cli.Outputs;

/// <summary><c>--metrics</c>: Prometheus metrics and <c>/healthz</c>, served from the start, about the model and the source once they run.</summary>
internal sealed class MetricsRunOutput : RunOutput
{
    private readonly RuntimeMetrics metrics;
    private readonly MetricsServer server;
    private readonly RunLines lines;

    private MetricsRunOutput(RuntimeMetrics metrics, MetricsServer server, RunLines lines)
    {
        this.metrics = metrics;
        this.server = server;
        this.lines = lines;
    }

    public override IFrameOutput Output => metrics;

    public static RunOutput? Create(RunContext context)
    {
        if (context.Settings.Metrics is not { } endpoint)
        {
            return null;
        }

        var metrics = new RuntimeMetrics(context.Time, context.Settings.EffectiveStreams(), context.HeadNames);
        var server = new MetricsServer(metrics) { StaleAfter = context.Settings.HealthzStale };
        try
        {
            server.Start(endpoint);
        }
        catch
        {
            server.Dispose();
            metrics.Dispose();
            throw;
        }

        return new MetricsRunOutput(metrics, server, context.Lines);
    }

    public override void Starting(RunStart start)
    {
        var bundle = start.Assembled.Bundle;
        metrics.Model = new ModelInfo(bundle.Name, bundle.Sha256, bundle.Precision, start.Assembled.Session.Report.Active);
        metrics.HardFrames = start.Assembled.Pipeline.HardFrames;
        metrics.LineOutputs = lines.Named;
        var cameras = start.Cameras;
        metrics.CapturedFrames = stream => cameras[stream].Captured;
        metrics.OverwrittenFrames = stream => cameras[stream].Overwritten;
    }

    public override void Dispose()
    {
        server.Dispose();
        metrics.Dispose();
    }
}
