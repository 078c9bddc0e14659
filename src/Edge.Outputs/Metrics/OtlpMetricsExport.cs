using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Edge.Outputs.Metrics;

/// <summary>
/// Pushes the <see cref="RuntimeMetrics.MeterName"/> instruments to an OpenTelemetry collector over OTLP/HTTP
/// (protobuf) every <see cref="DefaultInterval"/>, cumulative like the Prometheus counters, for fleets that collect
/// rather than scrape. Exporting runs on the SDK's own thread; the frame path only records into the instruments.
/// </summary>
public sealed class OtlpMetricsExport : IDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(15);

    /// <summary>How long one export waits for the collector; also bounds what the final export adds to a run's end.</summary>
    public static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(5);

    private readonly MeterProvider provider;

    private OtlpMetricsExport(MeterProvider provider)
    {
        this.provider = provider;
    }

    /// <summary>The collector's metrics URL: a bare <c>http://collector:4318</c> gets OTLP's <c>/v1/metrics</c> path.</summary>
    public static Uri MetricsUrl(Uri endpoint) =>
        endpoint.AbsolutePath is "/" or "" ? new Uri(endpoint, "/v1/metrics") : endpoint;

    /// <summary>Whether <paramref name="endpoint"/> is an absolute http or https URL (what <see cref="Start"/> takes).</summary>
    public static bool IsValidEndpoint(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && !string.IsNullOrEmpty(uri.Host);

    /// <summary>
    /// Starts exporting <paramref name="metrics"/> (from now on: a listener sees what is recorded after it attached);
    /// the first export follows one <paramref name="interval"/> later, the last one happens on <see cref="Dispose"/>.
    /// </summary>
    public static OtlpMetricsExport Start(RuntimeMetrics metrics, Uri endpoint, TimeSpan? interval = null)
    {
        var every = (int)(interval ?? DefaultInterval).TotalMilliseconds;
        var provider = Sdk.CreateMeterProviderBuilder()
            .AddRuntimeMetrics(metrics)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = MetricsUrl(endpoint);
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.TimeoutMilliseconds = (int)ExportTimeout.TotalMilliseconds;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = every;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build();
        metrics.AnnounceSeries();
        return new OtlpMetricsExport(provider);
    }

    /// <summary>Flushes what was recorded since the last export, then stops.</summary>
    public void Dispose() => provider.Dispose();
}
