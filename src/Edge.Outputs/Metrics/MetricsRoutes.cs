using System.Globalization;
using System.Text;
using Edge.Outputs.Streams;
using Microsoft.AspNetCore.Http;

namespace Edge.Outputs.Metrics;

/// <summary>What the metrics server answers: <c>/metrics</c>, <c>/healthz</c>, and 404 for anything else.</summary>
internal sealed class MetricsRoutes(RuntimeMetrics metrics, TimeSpan staleAfter)
{
    /// <summary>The content type Prometheus expects of the text exposition format.</summary>
    public const string ExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

    private const string PlainText = "text/plain; charset=utf-8";

    public Task Scrape(HttpContext context)
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

    public Task Health(HttpContext context)
    {
        if (!IsGetOrHead(context))
        {
            return MethodNotAllowed(context);
        }

        if (metrics.SinceLastFrame is null)
        {
            return Answer(context, 503, PlainText, "no frame processed yet\n");
        }

        return Unhealthy(metrics.Streams, staleAfter) is { } problems
            ? Answer(context, 503, PlainText, problems + "\n")
            : Answer(context, 200, PlainText, "ok\n");
    }

    /// <summary>
    /// Why the run is not healthy: each required stream (of those running now) that is not processing (with a single stream, just why), or
    /// when no stream is required, that none is processing; null while healthy.
    /// </summary>
    internal static string? Unhealthy(StreamLiveness streams, TimeSpan staleAfter)
    {
        var present = Enumerable.Range(0, streams.Count).Where(streams.IsPresent).ToArray();
        var anyRequired = present.Any(streams.IsRequired);
        var considered = present.Where(i => !anyRequired || streams.IsRequired(i)).ToArray();
        var problems = considered.Select(i => (Stream: streams.IdOf(i), Problem: streams.Problem(i, staleAfter))).Where(p => p.Problem is not null).ToArray();
        if (problems.Length == 0 || (!anyRequired && problems.Length < considered.Length))
        {
            return null;
        }

        return present.Length == 1
            ? problems[0].Problem
            : string.Join("; ", problems.Select(p => $"stream {p.Stream}: {p.Problem}"));
    }

    public Task NotFound(HttpContext context) =>
        Answer(context, 404, PlainText, $"not found: {context.Request.Path} (try /metrics or /healthz)\n");

    private static bool IsGetOrHead(HttpContext context) => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);

    private static Task MethodNotAllowed(HttpContext context)
    {
        context.Response.Headers.Allow = "GET, HEAD";
        return Answer(context, 405, PlainText, $"method {context.Request.Method} not allowed, expected GET or HEAD\n");
    }

    /// <summary>Sets the length first, so a HEAD request gets the length the body would have (Kestrel sends no body for HEAD).</summary>
    private static Task Answer(HttpContext context, int status, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(bytes).AsTask();
    }
}
