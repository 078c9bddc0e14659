using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Edge.Cli.Commands;

namespace Edge.Cli.Tests.Commands;

/// <summary><c>edge run --http</c> as a user starts it: the control API while running, and the start-up refusals that keep the token safe.</summary>
[Trait("Category", "App")]
public sealed class HttpRunTests : IDisposable
{
    private const string Token = "0123456789abcdef-app-test-token";

    private readonly TestBundle bundle = TestBundle.Create();

    public void Dispose() => bundle.Dispose();

    [Fact]
    public async Task Http_OnLoopback_ServesReadinessStatusAndMetrics_WithoutAToken()
    {
        var port = FreePort();
        await using var run = Running.Start(["run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=20", "--budget-ms", "60000", "--http", $"127.0.0.1:{port}"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        await run.WaitUntilReady(http, port);
        using var status = await http.GetAsync($"http://127.0.0.1:{port}/api/v1/status");
        var statusBody = await status.Content.ReadAsStringAsync();
        const string Published = "edge_frames_published_total{stream=\"cam0\",model=\"tiny-multilabel\"}";
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        for (var tries = 0; tries < 50 && Exposition.Number(metrics, Published) == 0; tries++)
        {
            await Task.Delay(100);
            metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        }

        var exit = await run.Terminate();

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Contains("\"id\":\"cam0\"", statusBody, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"tiny-multilabel\"", statusBody, StringComparison.Ordinal);
        Assert.True(Exposition.Number(metrics, Published) > 0, metrics);
        Assert.True(exit.Code == 0, exit.Error);
    }

    [Fact]
    public async Task Http_BeyondLoopbackWithTokenFromTheEnvironment_RefusesWithoutIt_ServesWithIt()
    {
        var port = FreePort();
        await using var run = Running.Start(["run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=20", "--budget-ms", "60000", "--http", $"0.0.0.0:{port}"], new() { ["EDGE_API_TOKEN"] = Token });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        await run.WaitUntilReady(http, port);
        using var refused = await http.GetAsync($"http://127.0.0.1:{port}/api/v1/status");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/api/v1/status");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var served = await http.SendAsync(request);
        var exit = await run.Terminate();

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.True(exit.Code == 0, exit.Error);
        Assert.Contains("over plain HTTP", exit.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, exit.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_PersistTrue_WritesTheChangeIntoTheConfigFile()
    {
        var port = FreePort();
        var config = bundle.WriteFile("edge.json", System.Text.Encoding.UTF8.GetBytes($$"""{ "source": "synthetic?size=32&fps=20", "budget_ms": 60000, "http": "127.0.0.1:{{port}}" }"""));
        await using var run = Running.Start(["run", "--model", bundle.Directory, "--config", config]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        await run.WaitUntilReady(http, port);
        using var response = await http.PutAsync($"http://127.0.0.1:{port}/api/v1/streams/cam0/budget?persist=true", new StringContent("""{"budget_ms": 250, "miss_policy": "drop"}""", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        var written = await File.ReadAllTextAsync(config);
        var exit = await run.Terminate();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = System.Text.Json.JsonDocument.Parse(written);
        Assert.Equal(250, json.RootElement.GetProperty("budget_ms").GetDouble());
        Assert.Equal("drop", json.RootElement.GetProperty("miss_policy").GetString());
        Assert.Equal($"127.0.0.1:{port}", json.RootElement.GetProperty("http").GetString());
        Assert.True(exit.Code == 0, exit.Error);
    }

    [Fact]
    public async Task MetricsAndHttp_SameEndpoint_OneServerServesBoth()
    {
        var port = FreePort();
        await using var run = Running.Start(["run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=20", "--budget-ms", "60000", "--http", $"127.0.0.1:{port}", "--metrics", $"127.0.0.1:{port}"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        await run.WaitUntilReady(http, port);
        using var status = await http.GetAsync($"http://127.0.0.1:{port}/api/v1/status");
        using var metrics = await http.GetAsync($"http://127.0.0.1:{port}/metrics");
        var exit = await run.Terminate();

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.True(exit.Code == 0, exit.Error);
    }

    [Fact]
    public async Task Metrics_BeyondLoopback_ServesNoControl()
    {
        var port = FreePort();
        await using var run = Running.Start(["run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=20", "--budget-ms", "60000", "--metrics", $"0.0.0.0:{port}"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        await run.WaitUntilReady(http, port);
        using var status = await http.GetAsync($"http://127.0.0.1:{port}/api/v1/status");
        var exit = await run.Terminate();

        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.True(exit.Code == 0, exit.Error);
    }

    [Fact]
    public void Http_BeyondLoopbackWithoutToken_OneLineErrorBeforeTheModelLoads()
    {
        var result = EdgeProcess.Run(TimeSpan.FromMinutes(1), "run", "--model", bundle.Directory, "--frames", "1", "--http", $"0.0.0.0:{FreePort()}");

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, "is reachable beyond this machine but no API token is set: expected EDGE_API_TOKEN or http_token_file");
        Assert.Empty(result.OutputLines);
    }

    [Theory]
    [InlineData("--api-token")]
    [InlineData("--http-token")]
    [InlineData("--token")]
    public void TokenAsAFlag_Refused(string flag)
    {
        var result = EdgeProcess.Run(TimeSpan.FromMinutes(1), "run", "--model", bundle.Directory, "--frames", "1", "--http", "127.0.0.1:0", flag, Token);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, $"{flag} is refused: the API token is never a flag");
        Assert.DoesNotContain(Token, result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenInTheConfigFile_Refused()
    {
        var config = bundle.WriteFile("edge.json", System.Text.Encoding.UTF8.GetBytes($$"""{ "http": "0.0.0.0:8080", "api_token": "{{Token}}" }"""));

        var result = EdgeProcess.Run(TimeSpan.FromMinutes(1), "run", "--model", bundle.Directory, "--frames", "1", "--config", config);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, "key 'api_token' is refused: the API token is never kept in the config file");
        Assert.DoesNotContain(Token, result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenFileMissing_OneLineError()
    {
        var missing = Path.Combine(bundle.Directory, "no-token");

        var result = EdgeProcess.Run(TimeSpan.FromMinutes(1), "run", "--model", bundle.Directory, "--frames", "1", "--http", "127.0.0.1:0", "--http-token-file", missing);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, $"http_token_file '{missing}' cannot be read");
    }

    [Fact]
    public void TokenTooShort_OneLineErrorNotQuotingIt()
    {
        var result = EdgeProcess.Run(TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["EDGE_API_TOKEN"] = "short-secret" }, "run", "--model", bundle.Directory, "--frames", "1", "--http", "127.0.0.1:0");

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, "the API token from EDGE_API_TOKEN is 12 characters, expected at least 16");
        Assert.DoesNotContain("short-secret", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void MetricsAndHttp_SharingAPortOtherwise_OneLineError()
    {
        var port = FreePort();

        var result = EdgeProcess.Run(TimeSpan.FromMinutes(1), "run", "--model", bundle.Directory, "--frames", "1", "--http", $"127.0.0.1:{port}", "--metrics", $"0.0.0.0:{port}");

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, $"metrics 0.0.0.0:{port} and http 127.0.0.1:{port} would share port {port}");
    }

    [Fact]
    public void Http_PortInUse_OneLineErrorNamingTheSetting()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = EdgeProcess.Run(TimeSpan.FromMinutes(1), "run", "--model", bundle.Directory, "--frames", "1", "--http", $"127.0.0.1:{port}");

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, $"http port {port} on 127.0.0.1 is already in use");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>An <c>edge run</c> left running until <see cref="Terminate"/> (SIGTERM, as systemd stops it).</summary>
    private sealed class Running : IAsyncDisposable
    {
        private readonly Process process;
        private readonly Task<string> error;

        private Running(Process process)
        {
            this.process = process;
            _ = process.StandardOutput.ReadToEndAsync();
            error = process.StandardError.ReadToEndAsync();
        }

        public static Running Start(string[] arguments, Dictionary<string, string>? environment = null)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edge.dll"));
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var name in Edge.Cli.Configuration.RunSettings.EnvironmentVariables)
            {
                start.Environment.Remove(name);
            }

            foreach (var (name, value) in environment ?? [])
            {
                start.Environment[name] = value;
            }

            return new Running(Process.Start(start)!);
        }

        /// <summary>Polls <c>/readyz</c> until it answers 200 (the model warm and frames flowing).</summary>
        public async Task WaitUntilReady(HttpClient http, int port)
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (process.HasExited)
                {
                    Assert.Fail($"edge exited with {process.ExitCode}: {await error}");
                }

                try
                {
                    using var response = await http.GetAsync($"http://127.0.0.1:{port}/readyz");
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(100);
            }

            Assert.Fail("/readyz did not answer 200 within 60 s");
        }

        public async Task<(int Code, string Error)> Terminate()
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill!.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await error);
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }
}
