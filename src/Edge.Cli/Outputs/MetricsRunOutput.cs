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
            var otlp = settings.MetricsOtlpEndpoint is { } collector ? OtlpMetricsExport.Start(metrics, collector) : null;
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
        var metrics = Metrics;
        metrics.Model = new ModelInfo(bundle.Name, bundle.Sha256, bundle.Precision, start.Assembled.Session.Report.Active);
        metrics.HardFrames = start.Assembled.Pipeline.HardFrames;
        metrics.LineOutputs = lines.Named;
        var control = start.Control;
        metrics.CapturedFrames = stream => control.CameraOf(metrics.Streams.IdOf(stream))?.Captured ?? 0;
        metrics.OverwrittenFrames = stream => control.CameraOf(metrics.Streams.IdOf(stream))?.Overwritten ?? 0;
    }

    public override void Dispose()
    {
        otlp?.Dispose();
        Metrics.Dispose();
    }
}
