using System.Net;
using System.Net.Sockets;
using Edge.Outputs.Metrics;
using Edge.Runtime.Pipeline;
using Edge.Server.Hosting;
using Edge.Server.Metrics;

namespace Edge.Server.Tests.Hosting;

/// <summary>ASP.NET Core's rate limiter per client address: a client over its budget is answered 429, others are not, probes never are.</summary>
public sealed class RateLimitTests : IDisposable
{
    private readonly RuntimeMetrics metrics = new();
    private readonly EdgeServer server;

    public RateLimitTests()
    {
        server = new EdgeServer(new MetricsRoutes(metrics), new GuardedRoutes())
        {
            Setting = "http",
            Limits = new ServerLimits { RequestsPerSecondPerClient = 1, RequestBurstPerClient = 3 },
        };
        server.Start("127.0.0.1:0");
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published));
    }

    public void Dispose()
    {
        server.Dispose();
        metrics.Dispose();
    }

    [Fact]
    public async Task OverTheBurst_Answers429WithRetryAfter_WhileAnotherAddressAndProbesAreServed()
    {
        using var busy = ClientFrom(IPAddress.Parse("127.0.0.1"));
        using var other = ClientFrom(IPAddress.Parse("127.0.0.2"));

        var burst = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await busy.GetAsync(Url("/guarded/control"));
            burst.Add(response.StatusCode);
        }

        // A second boundary may fall between two requests and give one more token: a few more, and one must be refused.
        HttpResponseMessage refused = await busy.GetAsync(Url("/guarded/control"));
        for (var i = 0; i < 3 && refused.StatusCode == HttpStatusCode.OK; i++)
        {
            refused.Dispose();
            refused = await busy.GetAsync(Url("/guarded/control"));
        }

        using var otherClient = await other.GetAsync(Url("/guarded/control"));
        var probes = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var probe = await busy.GetAsync(Url("/healthz"));
            probes.Add(probe.StatusCode);
        }

        Assert.All(burst, status => Assert.Equal(HttpStatusCode.OK, status));
        var error = await Answers.AssertError(refused, HttpStatusCode.TooManyRequests);
        Assert.StartsWith("too many requests from 127.0.0.1: expected at most 1 a second (bursts of 3); retry after ", error, StringComparison.Ordinal);
        Assert.True(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
        Assert.All(probes, status => Assert.Equal(HttpStatusCode.OK, status));
        refused.Dispose();
    }

    /// <summary>A client whose connections come from <paramref name="address"/> (any 127.x address is this machine's on Linux).</summary>
    private static HttpClient ClientFrom(IPAddress address) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(address, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { Timeout = TimeSpan.FromSeconds(10) };

    private Uri Url(string path) => new($"http://127.0.0.1:{server.LocalEndpoint!.Port}{path}");
}
