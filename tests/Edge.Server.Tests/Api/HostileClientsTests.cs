using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Edge.Outputs.Metrics;
using Edge.Server.Api;
using Edge.Server.Health;
using Edge.Server.Hosting;
using Edge.Server.Hosting.Security;
using Edge.Server.Metrics;
using Edge.Server.Tests.Hosting;
using Xunit.Abstractions;

namespace Edge.Server.Tests.Api;

/// <summary>
/// The full server (metrics, readiness, control API, token) in front of a real pipeline running at camera pace, under
/// clients that send malformed request lines, 1 MB headers, crowd in 200 at a time, trickle bytes and guess tokens:
/// the server keeps answering others, memory stays bounded, the frame pace holds within 5 %, and the token shows in
/// no log line.
/// </summary>
[Collection(nameof(RunningPipelineCollection))]
public sealed class HostileClientsTests : IDisposable
{
    private const string Token = "0123456789abcdef-hostile-test-token";
    private const int Crowd = 200;

    /// <summary>
    /// Between two attempts of each attacking loop. The attackers run in this process, on the same two cores as the
    /// pipeline: unthrottled loops would measure how much CPU the test's own clients take, not what the server lets
    /// them do to the pipeline. At this pace each loop still makes a few dozen hostile requests a second.
    /// </summary>
    private static readonly TimeSpan AttackInterval = TimeSpan.FromMilliseconds(25);

    private static readonly byte[] HugeHeaderRequest = Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: edge\r\nX-Big: " + new string('a', 1 << 20) + "\r\n\r\n");

    private readonly RuntimeMetrics metrics = new();
    private readonly RunningPipeline run;
    private readonly LogCapture logs = new();
    private readonly EdgeServer server;
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly ITestOutputHelper output;

    public HostileClientsTests(ITestOutputHelper output)
    {
        this.output = output;
        run = new RunningPipeline(fps: 30, metrics);
        var target = new ControlTarget();
        var readiness = new RunReadiness(metrics.Streams);
        server = new EdgeServer(new MetricsRoutes(metrics), new ReadinessRoutes(readiness), new ControlApiRoutes(target))
        {
            Setting = "http",
            Security = new ServerSecurity { Token = ApiToken.Parse(Token, "test") },
            Loggers = logs.Factory,
        };
        server.Start("127.0.0.1:0");
        target.Attach(run.Control);
        readiness.ModelWarm();
    }

    public void Dispose()
    {
        client.Dispose();
        server.Dispose();
        metrics.Dispose();
        run.Dispose();
    }

    /// <remarks>
    /// Quiet and attacked windows take turns, three of each, and their best windows are compared: this machine is shared
    /// (other test assemblies run beside this one), and load next door only ever slows whichever windows it lands in, so
    /// the fastest window of each kind is the one that shows what the attack itself costs. Medians failed when two of
    /// the three quiet windows were slowed (30.3, 25.0, 23.4 fps quiet against 30.0, 24.7, 30.0 under attack).
    /// </remarks>
    [Fact]
    public async Task UnderAttack_FramePaceWithin5Percent_OthersAnswered_MemoryBounded()
    {
        await run.WaitForPublishedAsync(30);
        var window = TimeSpan.FromSeconds(3);
        var quiet = new List<double>();
        var attacked = new List<double>();
        var answered = new List<HttpStatusCode>();
        var (malformed, huge) = (0, 0);
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        for (var round = 0; round < 3; round++)
        {
            quiet.Add(await run.MeasurePaceAsync(window));

            using var stop = new CancellationTokenSource();
            var attack = Attack(stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(0.5)); // let the crowd gather before measuring
            var paced = run.MeasurePaceAsync(window);
            answered.AddRange(await ProbeWhile(paced));
            attacked.Add(await paced);
            await stop.CancelAsync();
            var (roundMalformed, roundHuge, crowdAnswers) = await attack;
            (malformed, huge) = (malformed + roundMalformed, huge + roundHuge);
            Assert.Equal(Crowd, crowdAnswers);
        }

        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        var ratio = attacked.Max() / quiet.Max();
        var pace = $"frame pace: {string.Join(", ", quiet.Select(fps => fps.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} fps quiet, {string.Join(", ", attacked.Select(fps => fps.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} fps under attack (best-window ratio {ratio:F3})";
        output.WriteLine($"{pace}; {malformed} malformed and {huge} 1 MB-header requests refused, {Crowd} of {Crowd} crowding clients answered each round; managed memory {(memoryAfter - memoryBefore) / 1048576.0:+0.0;-0.0} MB");
        Assert.True(ratio is > 0.95 and < 1.05, pace);
        Assert.True(answered.Count >= 30 && answered.All(status => status == HttpStatusCode.OK), $"/readyz probes during the attack: {string.Join(", ", answered)}");
        Assert.True(malformed > 30, $"{malformed} malformed requests answered 400");
        Assert.True(huge > 6, $"{huge} 1 MB headers answered 431");
        Assert.True(memoryAfter - memoryBefore < 64L << 20, $"managed memory grew {(memoryAfter - memoryBefore) >> 20} MB during the attack");
        using var after = await client.GetAsync(Url("/healthz"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task TokenAndGuesses_AppearInNoLogLineAndNoAnswer()
    {
        const string guess = "0123456789abcdef-a-wrong-guess";
        var answers = new StringBuilder();
        foreach (var (header, path) in new[]
        {
            ($"Bearer {Token}", "/api/v1/heads/nope/model"),
            ($"Bearer {guess}", "/api/v1/heads/nope/model"),
            ($"Bearer {Token}x", "/api/v1/heads/nope/model"),
            ($"Basic {Token}", "/api/v1/heads/nope/model"),
            ($"Bearer {Token}", $"/api/v1/heads/nope/model?token={Token}"),
            ($"Bearer {guess}", $"/nothing/here?token={Token}"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, Url(path)) { Content = new StringContent($"{{\"bundle\": \"{Token}\"}}", Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Authorization", header);
            request.Headers.TryAddWithoutValidation("Cookie", $"{AccessGate.ViewCookie}={Token}");
            using var response = await client.SendAsync(request);
            answers.Append(response).Append(await response.Content.ReadAsStringAsync()).Append('\n');
        }

        answers.Append(await SendRaw($"GET /api/v1/status?token={Token} HTTP/1.1\r\nHost: edge\r\nAuthorization: Bearer {Token}\r\nX-Bad header {Token}\r\n\r\n"));
        answers.Append(await SendRaw($"GET /{Token} {Token} HTTP/1.1\r\n\r\n"));
        answers.Append(await SendRaw($"PUT /api/v1/heads/x/model HTTP/1.1\r\nHost: edge\r\nAuthorization: Bearer {Token}\r\nX-Big: {string.Concat(Enumerable.Repeat(Token, 30_000))}\r\n\r\n"));

        var lines = logs.Lines;
        Assert.Contains(lines, line => line.Contains("refused PUT /api/v1/heads/nope/model from 127.0.0.1: the API token does not match", StringComparison.Ordinal));
        Assert.All(lines, line => Assert.DoesNotContain(Token, line, StringComparison.Ordinal));
        Assert.All(lines, line => Assert.DoesNotContain(guess, line, StringComparison.Ordinal));
        var answered = answers.ToString();
        Assert.True(answered.Contains("no head is named 'nope'", StringComparison.Ordinal), answered);
        Assert.DoesNotContain(Token, answered.Replace($"\"bundle\": \"{Token}\"", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    /// <summary>Everything at once until cancelled; returns how many malformed and oversized requests were answered, and how many of the crowd got their answer.</summary>
    private async Task<(int Malformed, int Huge, int Crowd)> Attack(CancellationToken stop)
    {
        var crowd = GatherCrowd(stop);
        var malformed = Repeat(stop, async () => (await SendRaw("GET /healthz HTTP/1.1\r\nHost edge without a colon\r\n\r\n")).StartsWith("HTTP/1.1 400", StringComparison.Ordinal));
        var garbage = Repeat(stop, async () => (await SendRaw("\u0001\u0002 NOT HTTP AT ALL\r\n\r\n")).StartsWith("HTTP/1.1 400", StringComparison.Ordinal));
        var huge = Repeat(stop, async () => (await SendRaw(HugeHeaderRequest)).StartsWith("HTTP/1.1 431", StringComparison.Ordinal));
        var guesses = Repeat(stop, async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, Url("/api/v1/heads/x/model"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "0123456789abcdef-guess");
            using var response = await client.SendAsync(request, stop);
            return response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests;
        });
        var trickles = Enumerable.Range(0, 5).Select(_ => Trickle(stop)).ToArray();
        await Task.WhenAll([malformed, garbage, huge, guesses, .. trickles]);
        return (await malformed + await garbage, await huge, await crowd);
    }

    /// <summary>200 clients connect and send half a request; once told to stop, each finishes it and must get its answer.</summary>
    private async Task<int> GatherCrowd(CancellationToken stop)
    {
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < Crowd; i++)
            {
                var socket = await Connect();
                await socket.SendAsync("GET /healthz HTTP/1.1\r\nHost: edge\r\n"u8.ToArray());
                sockets.Add(socket);
            }

            await Task.Delay(Timeout.Infinite, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            var answers = await Task.WhenAll(sockets.Select(async socket =>
            {
                try
                {
                    await socket.SendAsync("Connection: close\r\n\r\n"u8.ToArray());
                    return await ReadToEnd(socket);
                }
                catch (SocketException)
                {
                    return "";
                }
            }));
            return answers.Count(answer => answer.StartsWith("HTTP/1.1 ", StringComparison.Ordinal));
        }
        finally
        {
            sockets.ForEach(socket => socket.Dispose());
        }
    }

    private static async Task<int> Repeat(CancellationToken stop, Func<Task<bool>> attempt)
    {
        var succeeded = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                succeeded += await attempt() ? 1 : 0;
            }
            catch (Exception e) when (e is SocketException or IOException or HttpRequestException or OperationCanceledException)
            {
                // the server hung up on a hostile client: what it should do
            }

            await Task.Delay(AttackInterval, CancellationToken.None);
        }

        return succeeded;
    }

    /// <summary>A client sending its request a byte every 200 ms until the server hangs up or the attack ends.</summary>
    private async Task Trickle(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            using var socket = await Connect();
            try
            {
                foreach (var b in "GET /healthz HTTP/1.1\r\nHost: edge\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"u8.ToArray())
                {
                    await Task.Delay(200, stop);
                    await socket.SendAsync(new[] { b }, SocketFlags.None, stop);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Probes /readyz every 100 ms until <paramref name="until"/> completes.</summary>
    private async Task<List<HttpStatusCode>> ProbeWhile(Task until)
    {
        var statuses = new List<HttpStatusCode>();
        while (!until.IsCompleted)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url("/readyz"));
            request.Headers.ConnectionClose = true;
            try
            {
                using var response = await client.SendAsync(request);
                statuses.Add(response.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                statuses.Add(0);
            }

            await Task.Delay(100);
        }

        return statuses;
    }

    private async Task<Socket> Connect()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndpoint!);
        return socket;
    }

    /// <summary>Sends a raw request and reads what comes back until the server closes (or 10 s); a reset while sending reads as what arrived.</summary>
    private Task<string> SendRaw(string request) => SendRaw(Encoding.Latin1.GetBytes(request));

    private async Task<string> SendRaw(byte[] request)
    {
        using var socket = await Connect();
        try
        {
            await socket.SendAsync(request);
        }
        catch (SocketException)
        {
            // the server answered and hung up before taking it all (an oversized header): read what it said
        }

        return await ReadToEnd(socket);
    }

    private static async Task<string> ReadToEnd(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // reset after the answer
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }

    private Uri Url(string path) => new($"http://127.0.0.1:{server.LocalEndpoint!.Port}{path}");
}
