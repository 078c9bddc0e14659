using OpenTelemetry.Metrics;

namespace Edge.Outputs.Metrics;

/// <summary>How an OpenTelemetry <see cref="MeterProvider"/> (the Prometheus endpoint, the OTLP push) takes a <see cref="RuntimeMetrics"/>.</summary>
public static class RuntimeMetricsExport
{
    /// <summary>
    /// Listens to the instruments of <paramref name="metrics"/>' own meter and drops those of any other meter named
    /// <see cref="RuntimeMetrics.MeterName"/> (several live in one test process), so an exporter serves exactly one
    /// run. Histograms keep the buckets their instruments advise (<see cref="LatencyBuckets"/>).
    /// </summary>
    public static MeterProviderBuilder AddRuntimeMetrics(this MeterProviderBuilder builder, RuntimeMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(metrics);
        return builder
            .AddMeter(RuntimeMetrics.MeterName)
            .AddView(instrument => ReferenceEquals(instrument.Meter, metrics.Meter) ? null : MetricStreamConfiguration.Drop)
            .SetExemplarFilter(ExemplarFilterType.AlwaysOff);
    }
}
