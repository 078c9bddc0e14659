using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Outputs.Metrics;
using Edge.Server.Hosting;
using Edge.Server.Metrics;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Server.Tests.Hosting;

public sealed class EdgeServerTests : IDisposable
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero));
    private readonly RuntimeMetrics metrics;
    private readonly EdgeServer server;
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(10) };

    public EdgeServerTests()
    {
        metrics = new RuntimeMetrics(time);
        server = new EdgeServer(new MetricsRoutes(metrics) { StaleAfter = TimeSpan.FromSeconds(10) });
    }

    public void Dispose()
    {
        client.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task Metrics_ServesTheExpositionWithItsContentType()
    {
        server.Start("127.0.0.1:0");
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published));

        using var response = await client.GetAsync(Url("/metrics"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
        Assert.Equal("1", Exposition.Value(body, "edge_frames_published_total{stream=\"cam0\"}"));
    }

    [Fact]
    public async Task Metrics_QueryString_IsIgnored()
    {
        server.Start("127.0.0.1:0");

        using var response = await client.GetAsync(Url("/metrics?format=text"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_ProviderThrows_Answers500WithTheReason()
    {
        metrics.CapturedFrames = _ => throw new InvalidOperationException("capture loop\ngone");
        server.Start("127.0.0.1:0");

        using var response = await client.GetAsync(Url("/metrics"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("metrics unavailable: InvalidOperationException: capture loop gone\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Healthz_BeforeTheFirstFrame_Answers503()
    {
        server.Start("127.0.0.1:0");

        using var response = await client.GetAsync(Url("/healthz"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("no frame processed yet\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Healthz_FrameWithinStaleAfter_AnswersOk()
    {
        server.Start("127.0.0.1:0");
        metrics.OnFrame(FrameReports.Of(FrameOutcome.DroppedStale));
        time.Advance(TimeSpan.FromSeconds(10));

        using var response = await client.GetAsync(Url("/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Healthz_LastFrameOlderThanStaleAfter_Answers503WithHowLongAgo()
    {
        server.Start("127.0.0.1:0");
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published));
        time.Advance(TimeSpan.FromSeconds(12.5));

        using var response = await client.GetAsync(Url("/healthz"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("last frame processed 12.5 s ago, expected within 10 s\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Healthz_FramesResume_AnswersOkAgain()
    {
        server.Start("127.0.0.1:0");
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published));
        time.Advance(TimeSpan.FromMinutes(1));
        using (var stale = await client.GetAsync(Url("/healthz")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, stale.StatusCode);
        }

        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published));
        using var response = await client.GetAsync(Url("/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/metricsx")]
    [InlineData("/health")]
    public async Task UnknownPath_Answers404AsJsonNamingTheKnownPaths(string path)
    {
        server.Start("127.0.0.1:0");

        using var response = await client.GetAsync(Url(path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal($$"""{"error":"not found: {{path}} (try /metrics, /healthz)","status":404}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_Answers405WithAllow()
    {
        server.Start("127.0.0.1:0");

        using var response = await client.PostAsync(Url("/metrics"), new StringContent("x"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Head_AnswersHeadersWithoutBody()
    {
        server.Start("127.0.0.1:0");

        var get = await client.GetStringAsync(Url("/metrics"));
        using var request = new HttpRequestMessage(HttpMethod.Head, Url("/metrics"));
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Encoding.UTF8.GetByteCount(get), response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task MalformedRequest_Answers400AndKeepsServing()
    {
        server.Start("127.0.0.1:0");

        var raw = await SendRaw("GET /metrics HTTP/1.1\r\nHost edge without a colon\r\n\r\n");
        using var response = await client.GetAsync(Url("/metrics"));

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", raw, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ClientThatHangsUp_DoesNotStopTheServer()
    {
        server.Start("127.0.0.1:0");
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(server.LocalEndpoint!);
            await socket.SendAsync("GET /met"u8.ToArray());
        }

        using var response = await client.GetAsync(Url("/healthz"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public void Start_PortZero_BindsAFreePortOnTheGivenHost()
    {
        server.Start("127.0.0.1:0");

        Assert.Equal(IPAddress.Loopback, server.LocalEndpoint!.Address);
        Assert.NotEqual(0, server.LocalEndpoint.Port);
    }

    [Fact]
    public void Start_PortInUse_ThrowsNamingThePort()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;

            var error = Assert.Throws<ServerConfigurationException>(() => server.Start($"127.0.0.1:{port}"));

            Assert.Equal($"metrics port {port} on 127.0.0.1 is already in use, expected a free port", error.Message);
            Assert.Null(server.LocalEndpoint);
        }
        finally
        {
            taken.Stop();
        }
    }

    [Fact]
    public void Start_AddressNotOnThisMachine_ThrowsNamingTheHost()
    {
        // TEST-NET-1 (RFC 5737) is never assigned to a real interface.
        var error = Assert.Throws<ServerConfigurationException>(() => server.Start("192.0.2.1:0"));

        Assert.StartsWith("metrics host 192.0.2.1 is not an address of this machine, expected a local address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_BadEndpoint_Throws()
    {
        var error = Assert.Throws<ServerConfigurationException>(() => server.Start("127.0.0.1:70000"));

        Assert.Equal("metrics port 70000 is out of range, expected 1-65535 (0 picks a free port)", error.Message);
    }

    [Fact]
    public void Start_Twice_Throws()
    {
        server.Start("127.0.0.1:0");

        Assert.Throws<InvalidOperationException>(() => server.Start("127.0.0.1:0"));
    }

    [Fact]
    public void Dispose_FreesThePortAndStopsServing()
    {
        server.Start("127.0.0.1:0");
        var port = server.LocalEndpoint!.Port;

        server.Dispose();

        using var again = new EdgeServer(new MetricsRoutes(metrics));
        again.Start($"127.0.0.1:{port}");
        Assert.Equal(port, again.LocalEndpoint!.Port);
        Assert.Throws<ObjectDisposedException>(() => server.Start("127.0.0.1:0"));
    }

    [Fact]
    public void StaleAfter_NotPositive_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetricsRoutes(metrics) { StaleAfter = TimeSpan.Zero });

    [Fact]
    public void Defaults_AreLoopback9108AndTenSeconds()
    {
        Assert.Equal("127.0.0.1:9108", EdgeServer.DefaultEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(10), new MetricsRoutes(metrics).StaleAfter);
    }

    private Uri Url(string path) => new($"http://127.0.0.1:{server.LocalEndpoint!.Port}{path}");

    private async Task<string> SendRaw(string request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndpoint!);
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));

        // No half-close: Kestrel may drop a request whose input already ended without answering it. After a 400 it
        // closes the connection itself, which ends the read; the timeout only bounds a broken server.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }
}
