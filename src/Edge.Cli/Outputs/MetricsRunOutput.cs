using Edge.Outputs.Metrics;
using Edge.Runtime.Publishing;

namespace Edge.Cli.Outputs;

/// <summary>
/// The run's metrics (<see cref="RuntimeMetrics"/>), about the model and the source once they run: served over HTTP by
/// <see cref="HttpRunOutput"/> (<c>--metrics</c>, <c>--http</c>), pushed to a collector by <c>--metrics-otlp-endpoint</c>.
/// </summary>
internal sealed class MetricsRunOutput : RunOutput
{
    private readonly OtlpMetricsExport? otlp;
    private readonly RunLines lines;

    private MetricsRunOutput(RuntimeMetrics metrics, OtlpMetricsExport? otlp, RunLines lines)
    {
        Metrics = metrics;
        this.otlp = otlp;
        this.lines = lines;
    }

    public RuntimeMetrics Metrics { get; }

    public override IFrameOutput Output => Metrics;

    public static MetricsRunOutput? Create(RunContext context)
    {
        var settings = context.Settings;
        if (settings.Metrics is null && settings.Http is null && settings.MetricsOtlpEndpoint is null)
        {
            return null;
        }

        var metrics = new RuntimeMetrics(context.Time, settings.EffectiveStreams(), context.HeadNames);
        try
        {
            var otlp = settings.MetricsOtlpEndpoint is { } collector ? OtlpMetricsExport.Start(collector) : null;
            return new MetricsRunOutput(metrics, otlp, context.Lines);
        }
        catch
        {
            metrics.Dispose();
            throw;
        }
    }

    public override void Starting(RunStart start)
    {
        var bundle = start.Assembled.Bundle;
        Metrics.Model = new ModelInfo(bundle.Name, bundle.Sha256, bundle.Precision, start.Assembled.Session.Report.Active);
        Metrics.HardFrames = start.Assembled.Pipeline.HardFrames;
        Metrics.LineOutputs = lines.Named;
        var cameras = start.Cameras;
        Metrics.CapturedFrames = stream => cameras[stream].Captured;
        Metrics.OverwrittenFrames = stream => cameras[stream].Overwritten;
    }

    public override void Dispose()
    {
        otlp?.Dispose();
        Metrics.Dispose();
    }
}
