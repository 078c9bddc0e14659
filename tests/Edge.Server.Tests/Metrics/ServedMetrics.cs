using Edge.Outputs.Metrics;
using Edge.Runtime.Options;
using Edge.Server.Hosting;
using Edge.Server.Metrics;

namespace Edge.Server.Tests.Metrics;

/// <summary>A <see cref="RuntimeMetrics"/> served by a real <see cref="EdgeServer"/> on a free loopback port, and a client that scrapes it.</summary>
internal sealed class ServedMetrics : IDisposable
{
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(10) };

    public ServedMetrics(TimeProvider? time = null, IReadOnlyList<StreamOptions>? streams = null, IReadOnlyList<string>? heads = null)
    {
        Metrics = new RuntimeMetrics(time, streams, heads);
        Server = new EdgeServer(new MetricsRoutes(Metrics));
        Server.Start("127.0.0.1:0");
    }

    public RuntimeMetrics Metrics { get; }

    public EdgeServer Server { get; }

    public Uri Url(string path) => new($"http://127.0.0.1:{Server.LocalEndpoint!.Port}{path}");

    /// <summary>GET /metrics, which must answer 200.</summary>
    public async Task<string> ScrapeAsync()
    {
        using var response = await client.GetAsync(Url("/metrics"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/metrics answered {(int)response.StatusCode}: {body}");
        return body;
    }

    public Task<HttpResponseMessage> GetAsync(string path, string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url(path));
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return client.SendAsync(request);
    }

    public void Dispose()
    {
        client.Dispose();
        Server.Dispose();
        Metrics.Dispose();
    }
}
