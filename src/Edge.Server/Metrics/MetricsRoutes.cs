using System.Globalization;
using Edge.Outputs.Metrics;
using Edge.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Edge.Server.Metrics;

/// <summary>
/// Serves <see cref="RuntimeMetrics"/>: <c>GET /metrics</c> (Prometheus text format 0.0.4) and <c>GET /healthz</c> (200
/// <c>ok</c> while every required stream's camera delivers and its frames keep being processed within
/// <see cref="StaleAfter"/>, else 503 with the reason per stream).
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

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.Map("/metrics", Scrape);
        routes.Map("/healthz", Health);
    }

    /// <summary>The content type Prometheus expects of the text exposition format.</summary>
    public const string ExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

    private const string PlainText = PlainAnswers.PlainText;

    private Task Scrape(HttpContext context)
    {
        if (!IsGetOrHead(context))
        {
            return MethodNotAllowed(context);
        }

        var text = new StringWriter(CultureInfo.InvariantCulture);
        try
        {
            metrics.WriteTo(text);
        }
        catch (Exception e)
        {
            // A failing run-loop provider must not take the server down; the scrape fails visibly instead.
            return Answer(context, 500, PlainText, $"metrics unavailable: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}\n");
        }

        return Answer(context, 200, ExpositionContentType, text.ToString());
    }

    private Task Health(HttpContext context)
    {
        if (!IsGetOrHead(context))
        {
            return MethodNotAllowed(context);
        }

        if (metrics.SinceLastFrame is null)
        {
            return Answer(context, 503, PlainText, "no frame processed yet\n");
        }

        return metrics.Streams.Unhealthy(staleAfter) is { } problems
            ? Answer(context, 503, PlainText, problems + "\n")
            : Answer(context, 200, PlainText, "ok\n");
    }

    private static bool IsGetOrHead(HttpContext context) => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);

    private static Task MethodNotAllowed(HttpContext context)
    {
        context.Response.Headers.Allow = "GET, HEAD";
        return Answer(context, 405, PlainText, $"method {context.Request.Method} not allowed, expected GET or HEAD\n");
    }

    private static Task Answer(HttpContext context, int status, string contentType, string body) => PlainAnswers.Send(context, status, body, contentType);
}
