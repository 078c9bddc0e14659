using Edge.Outputs.Metrics;
using Edge.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Edge.Server.Metrics;

/// <summary>
/// The <c>/metrics</c> exposition of one <see cref="RuntimeMetrics"/>: an OpenTelemetry <see cref="MeterProvider"/>
/// with the Prometheus exporter, listening to that run's meter from when it is made (the server's start), and the
/// answer around the exporter's own: only GET and HEAD, the length always set, and 500 with the reason when an
/// observable instrument's callback failed during the scrape instead of values the failure left stale.
/// </summary>
internal sealed class PrometheusScrape : IDisposable
{
    private readonly RuntimeMetrics metrics;

    public PrometheusScrape(RuntimeMetrics metrics)
    {
        this.metrics = metrics;
        Provider = Sdk.CreateMeterProviderBuilder()
            .AddRuntimeMetrics(metrics)
            .AddPrometheusExporter(exporter =>
            {
                // Every scrape collects afresh (a failing callback must fail the scrape that ran it), and the series
                // are Edge's alone: no otel_scope_* labels on each, no target_info family.
                exporter.ScrapeResponseCacheDurationMilliseconds = 0;
                exporter.ScopeInfoEnabled = false;
                exporter.TargetInfoEnabled = false;
            })
            .Build();
        metrics.AnnounceSeries();
    }

    public MeterProvider Provider { get; }

    /// <summary>Runs the exporter's middleware (<paramref name="exporter"/>) into a buffer, then answers from it.</summary>
    public async Task Answer(HttpContext context, RequestDelegate exporter)
    {
        var request = context.Request;
        var response = context.Response;
        if (!MetricsRoutes.IsGetOrHead(context))
        {
            await MetricsRoutes.MethodNotAllowed(context);
            return;
        }

        var failuresBefore = metrics.CollectFailures;
        var body = response.Body;
        using var exposition = new MemoryStream();
        response.Body = exposition;
        try
        {
            await exporter(context);
        }
        finally
        {
            response.Body = body;
        }

        if (metrics.CollectFailures != failuresBefore || response.StatusCode != StatusCodes.Status200OK)
        {
            response.Headers.Remove(HeaderNames.LastModified);
            await PlainAnswers.Send(context, 500, $"metrics unavailable: {Reason(metrics.CollectFailures != failuresBefore ? metrics.LastCollectFailure : null)}\n");
            return;
        }

        response.ContentLength = exposition.Length;
        if (!HttpMethods.IsHead(request.Method))
        {
            await body.WriteAsync(exposition.GetBuffer().AsMemory(0, (int)exposition.Length), context.RequestAborted);
        }
    }

    public void Dispose() => Provider.Dispose();

    private static string Reason(Exception? failure) => failure is null
        ? "the Prometheus exporter failed to collect (its EventSource, OpenTelemetry-Exporter-Prometheus, says why)"
        : $"{failure.GetType().Name}: {failure.Message.ReplaceLineEndings(" ")}";
}
