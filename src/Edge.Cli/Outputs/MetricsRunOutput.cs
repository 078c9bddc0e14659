using Edge.Outputs.Metrics;
using Edge.Server.Hosting;
using Edge.Server.Metrics;
using Edge.Runtime.Publishing;

namespace Edge.Cli.Outputs;

/// <summary>
/// <c>--metrics</c>: Prometheus metrics and <c>/healthz</c>, served from the start, about the model and the source once
/// they run; <c>--metrics-otlp-endpoint</c>: the same metrics pushed to a collector (either, or both).
/// </summary>
internal sealed class MetricsRunOutput : RunOutput
{
    private readonly RuntimeMetrics metrics;
    private readonly EdgeServer? server;
    private readonly OtlpMetricsExport? otlp;
    private readonly RunLines lines;

    private MetricsRunOutput(RuntimeMetrics metrics, EdgeServer? server, OtlpMetricsExport? otlp, RunLines lines)
    {
        this.metrics = metrics;
        this.server = server;
        this.otlp = otlp;
        this.lines = lines;
    }

    public override IFrameOutput Output => metrics;

    public static RunOutput? Create(RunContext context)
    {
        var settings = context.Settings;
        if (settings.Metrics is null && settings.MetricsOtlpEndpoint is null)
        {
            return null;
        }

        var metrics = new RuntimeMetrics(context.Time, settings.EffectiveStreams(), context.HeadNames);
        EdgeServer? server = null;
        try
        {
            if (settings.Metrics is { } endpoint)
            {
                server = new EdgeServer(new MetricsRoutes(metrics) { StaleAfter = settings.HealthzStale });
                server.Start(endpoint);
            }

            var otlp = settings.MetricsOtlpEndpoint is { } collector ? OtlpMetricsExport.Start(metrics, collector) : null;
            return new MetricsRunOutput(metrics, server, otlp, context.Lines);
        }
        catch
        {
            server?.Dispose();
            metrics.Dispose();
            throw;
        }
    }

    public override void Starting(RunStart start)
    {
        var bundle = start.Assembled.Bundle;
        metrics.Model = new ModelInfo(bundle.Name, bundle.Sha256, bundle.Precision, start.Assembled.Session.Report.Active);
        metrics.HardFrames = start.Assembled.Pipeline.HardFrames;
        metrics.LineOutputs = lines.Named;
        var control = start.Control;
        metrics.CapturedFrames = stream => control.CameraOf(metrics.Streams.IdOf(stream))?.Captured ?? 0;
        metrics.OverwrittenFrames = stream => control.CameraOf(metrics.Streams.IdOf(stream))?.Overwritten ?? 0;
    }

    public override void Dispose()
    {
        server?.Dispose();
        otlp?.Dispose();
        metrics.Dispose();
    }
}
