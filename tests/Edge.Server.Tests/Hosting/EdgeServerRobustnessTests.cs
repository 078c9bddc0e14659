using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Outputs.Metrics;
using Edge.Server.Hosting;
using Edge.Server.Metrics;
using Edge.Runtime.Pipeline;

namespace Edge.Server.Tests.Hosting;

/// <summary>
/// Clients that misbehave (trickle bytes, never finish a request line, crowd in by the hundred, pipeline requests)
/// while a supervisor keeps probing <c>/healthz</c>: the probes must keep answering promptly.
/// </summary>
[Collection(nameof(HealthProbeTimingCollection))]
public sealed class EdgeServerRobustnessTests : IDisposable, IAsyncLifetime
{
    /// <summary>What a supervisor polling /healthz can expect of every probe, even while other clients misbehave.</summary>
    private static readonly TimeSpan ProbeLimit = TimeSpan.FromMilliseconds(100);

    /// <summary>What a probe can expect while 200 other clients hold connections open.</summary>
    private static readonly TimeSpan CrowdedProbeLimit = TimeSpan.FromSeconds(1);

    private readonly RuntimeMetrics metrics = new();
    private readonly EdgeServer server;
    private readonly HttpClient probe = new() { Timeout = TimeSpan.FromSeconds(10) };

    public EdgeServerRobustnessTests()
    {
        server = new EdgeServer(new MetricsRoutes(metrics));
        server.Start("127.0.0.1:0");
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published));
    }

    /// <summary>
    /// One probe before each test: the first request of a fresh server and client pays JIT and connection set-up
    /// (hundreds of milliseconds here), which is start-up cost, not what a slow client does to later probes.
    /// </summary>
    public async Task InitializeAsync()
    {
        using var warmUp = await probe.GetAsync($"http://127.0.0.1:{server.LocalEndpoint!.Port}/healthz");
        Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        probe.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task Healthz_WhileAClientTricklesItsRequest_KeepsAnsweringWithin100Ms()
    {
        using var trickler = await Connect();
        using var stop = new CancellationTokenSource();
        var trickling = Trickle(trickler, "GET /healthz HTTP/1.1\r\nHost: edge\r\nX-Slow: " + new string('a', 200), TimeSpan.FromMilliseconds(250), stop.Token);

        var (median, slowest) = await ProbeRepeatedly(probes: 12, interval: TimeSpan.FromMilliseconds(100));

        await stop.CancelAsync();
        await trickling;
        AssertPrompt(median, slowest, "while a client trickled its request");
    }

    [Fact]
    public async Task Healthz_WhileARequestLineHasNoTerminator_KeepsAnsweringWithin100Ms()
    {
        using var unterminated = await Connect();
        await unterminated.SendAsync("GET /healthz HTTP/1.1"u8.ToArray());

        var (median, slowest) = await ProbeRepeatedly(probes: 10, interval: TimeSpan.FromMilliseconds(100));

        AssertPrompt(median, slowest, "behind an unterminated request line");
    }

    [Fact]
    public async Task Healthz_With200ClientsConnectedAtOnce_AllAnsweredAndProbesWithinASecond()
    {
        var crowd = new List<Socket>();
        try
        {
            // 200 clients that connect and send half a request hold 200 connections open at the same time.
            for (var i = 0; i < 200; i++)
            {
                var socket = await Connect();
                await socket.SendAsync("GET /metrics HTTP/1.1\r\nHost: edge\r\n"u8.ToArray());
                crowd.Add(socket);
            }

            var (_, slowest) = await ProbeRepeatedly(probes: 10, interval: TimeSpan.FromMilliseconds(50));

            var responses = await Task.WhenAll(crowd.Select(async socket =>
            {
                await socket.SendAsync("Connection: close\r\n\r\n"u8.ToArray());
                return await ReadToEnd(socket);
            }));
            // Not ProbeLimit: on a 2-core machine the first probe after 200 connections arrive took 630-710 ms (the
            // hand-written server it replaces never answered at all); docs/metrics.md says so.
            Assert.True(slowest < CrowdedProbeLimit, $"slowest /healthz probe took {slowest.TotalMilliseconds:F0} ms with 200 clients connected");
            Assert.All(responses, response => Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal));
        }
        finally
        {
            foreach (var socket in crowd)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task MalformedRequest_Answers400WhileProbesKeepAnswering()
    {
        using var malformed = await Connect();
        await malformed.SendAsync("GET /healthz HTTP/1.1\r\nHost edge without a colon\r\n\r\n"u8.ToArray());

        var answer = await ReadToEnd(malformed);
        var (median, slowest) = await ProbeRepeatedly(probes: 5, interval: TimeSpan.FromMilliseconds(20));

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer, StringComparison.Ordinal);
        AssertPrompt(median, slowest, "after a malformed request");
    }

    [Fact]
    public async Task PipelinedRequests_EachGetsItsResponse()
    {
        using var client = await Connect();
        await client.SendAsync("GET /healthz HTTP/1.1\r\nHost: edge\r\n\r\nGET /metrics HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n"u8.ToArray());

        var answer = await ReadToEnd(client);

        Assert.Equal(2, CountOccurrences(answer, "HTTP/1.1 200 OK\r\n"));
        Assert.Contains("edge_frames_published_total{stream=\"cam0\"} 1\n", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowClient_PastTheHeaderTimeout_IsDisconnected()
    {
        using var trickler = await Connect();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watch = Stopwatch.StartNew();

        // Sends a byte every second and never finishes the headers: the server must hang up on it.
        await Trickle(trickler, "GET /healthz HTTP/1.1\r\nHost: edge\r\nX-Slow: " + new string('a', 60), TimeSpan.FromSeconds(1), stop.Token);

        Assert.False(stop.IsCancellationRequested, "the server kept a client that never finished its headers connected for 30 s");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"disconnected after {watch.Elapsed.TotalSeconds:F1} s");
    }

    private async Task<Socket> Connect()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndpoint!);
        return socket;
    }

    /// <summary>Sends one byte per interval until done, cancelled, or the server closes the connection.</summary>
    private static async Task Trickle(Socket socket, string request, TimeSpan interval, CancellationToken cancel)
    {
        foreach (var b in Encoding.ASCII.GetBytes(request))
        {
            try
            {
                await Task.Delay(interval, cancel);
                await socket.SendAsync(new[] { b }, SocketFlags.None, cancel);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }

            // A server that hung up shows as readable with nothing to read.
            if (socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0)
            {
                return;
            }
        }
    }

    /// <summary>Probes /healthz (each on a fresh connection, as a supervisor would) and returns the slowest answer.</summary>
    /// <summary>
    /// Probes <paramref name="probes"/> times. A server held up by a misbehaving client delays every probe by seconds;
    /// a shared CI machine delays one now and then (a GC, a descheduled thread): so a held-up server shows in the median,
    /// and the slowest probe only has to stay under the crowded limit.
    /// </summary>
    private async Task<(TimeSpan Median, TimeSpan Slowest)> ProbeRepeatedly(int probes, TimeSpan interval)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < probes; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{server.LocalEndpoint!.Port}/healthz");
            request.Headers.ConnectionClose = true;
            var watch = Stopwatch.StartNew();
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            HttpStatusCode status;
            try
            {
                using var response = await probe.SendAsync(request, cancel.Token);
                status = response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Assert.Fail($"/healthz probe {i + 1} of {probes} failed after {watch.Elapsed.TotalMilliseconds:F0} ms: {e.Message}");
                throw;
            }

            var took = watch.Elapsed;
            Assert.Equal(HttpStatusCode.OK, status);
            times.Add(took);
            await Task.Delay(interval);
        }

        times.Sort();
        return (times[times.Count / 2], times[^1]);
    }

    private static void AssertPrompt(TimeSpan median, TimeSpan slowest, string situation)
    {
        Assert.True(median < ProbeLimit, $"median /healthz probe took {median.TotalMilliseconds:F0} ms {situation}");
        Assert.True(slowest < CrowdedProbeLimit, $"slowest /healthz probe took {slowest.TotalMilliseconds:F0} ms {situation}");
    }

    private static async Task<string> ReadToEnd(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var received = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    private static int CountOccurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

/// <summary>The probe-latency tests run alone, not beside other test classes competing for the two cores.</summary>
[CollectionDefinition(nameof(HealthProbeTimingCollection), DisableParallelization = true)]
public sealed class HealthProbeTimingCollection;
