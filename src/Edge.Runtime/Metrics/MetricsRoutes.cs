using System.Globalization;

namespace Edge.Runtime.Metrics;

/// <summary>What the metrics server answers: <c>/metrics</c>, <c>/healthz</c>, and 404 for anything else.</summary>
internal sealed class MetricsRoutes(RuntimeMetrics metrics, TimeSpan staleAfter)
{
    /// <summary>The content type Prometheus expects of the text exposition format.</summary>
    public const string ExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

    public HttpResponse Respond(HttpRequestLine request)
    {
        var route = request.Path switch
        {
            "/metrics" => (Func<HttpResponse>)Scrape,
            "/healthz" => Health,
            _ => null,
        };
        if (route is null)
        {
            return HttpResponse.Text(404, "Not Found", $"not found: {request.Path} (try /metrics or /healthz)");
        }

        if (request.Method is not ("GET" or "HEAD"))
        {
            return HttpResponse.Text(405, "Method Not Allowed", $"method {request.Method} not allowed, expected GET or HEAD") with { Allow = "GET, HEAD" };
        }

        return route();
    }

    public HttpResponse Health()
    {
        if (metrics.SinceLastFrame is not { } since)
        {
            return HttpResponse.Text(503, "Service Unavailable", "no frame processed yet");
        }

        return since <= staleAfter
            ? HttpResponse.Text(200, "OK", "ok")
            : HttpResponse.Text(503, "Service Unavailable", string.Create(CultureInfo.InvariantCulture, $"last frame processed {since.TotalSeconds:0.0} s ago, expected within {staleAfter.TotalSeconds:0.###} s"));
    }

    private HttpResponse Scrape()
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        try
        {
            metrics.WriteTo(text);
        }
        catch (Exception e)
        {
            // A failing run-loop provider must not take the server down; the scrape fails visibly instead.
            return HttpResponse.Text(500, "Internal Server Error", $"metrics unavailable: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }

        return new HttpResponse(200, "OK", ExpositionContentType, text.ToString());
    }
}
