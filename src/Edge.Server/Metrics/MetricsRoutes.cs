using Edge.Outputs.Metrics;
using Edge.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Server.Metrics;

/// <summary>
/// Serves <see cref="RuntimeMetrics"/>: <c>GET /metrics</c> (its meter through OpenTelemetry's Prometheus exporter:
/// the text format 0.0.4, or OpenMetrics 1.0 when the scraper asks for it) and <c>GET /healthz</c> (200 <c>ok</c> while
/// every required stream's camera delivers and its frames keep being processed within <see cref="StaleAfter"/>, else
/// 503 with the reason per stream).
/// </summary>
/// <param name="metrics">What to serve; its <see cref="RuntimeMetrics.Time"/> also judges staleness for /healthz.</param>
public sealed class MetricsRoutes(RuntimeMetrics metrics) : IServerModule
{
    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromSeconds(10);

    private readonly TimeSpan staleAfter = DefaultStaleAfter;

    /// <summary>How long after the last frame /healthz turns to 503.</summary>
    public TimeSpan StaleAfter
    {
        get => staleAfter;
        init => staleAfter = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), $"stale-after is {value}, expected a positive duration");
    }

    public IEnumerable<string> Paths => ["/metrics", "/healthz"];

    /// <summary>The exporter's provider, made with the server and disposed with it.</summary>
    public void ConfigureServices(IServiceCollection services) => services.AddSingleton(_ => new PrometheusScrape(metrics));

    public void Map(IEndpointRouteBuilder routes)
    {
        var scrape = routes.ServiceProvider.GetRequiredService<PrometheusScrape>();
        routes.MapPrometheusScrapingEndpoint("/metrics", scrape.Provider, branch => branch.Use(scrape.Answer), optionsName: null);
        routes.Map("/healthz", Health);
    }

    private Task Health(HttpContext context)
    {
        if (!IsGetOrHead(context))
        {
            return MethodNotAllowed(context);
        }

        if (metrics.SinceLastFrame is null)
        {
            return PlainAnswers.Send(context, 503, "no frame processed yet\n");
        }

        return metrics.Streams.Unhealthy(staleAfter) is { } problems
            ? PlainAnswers.Send(context, 503, problems + "\n")
            : PlainAnswers.Send(context, 200, "ok\n");
    }

    internal static bool IsGetOrHead(HttpContext context) => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);

    internal static Task MethodNotAllowed(HttpContext context)
    {
        context.Response.Headers.Allow = "GET, HEAD";
        return PlainAnswers.Send(context, 405, $"method {context.Request.Method} not allowed, expected GET or HEAD\n");
    }
}
