using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Edge.Cli.Commands;

namespace Edge.Cli.Tests.Commands;

/// <summary><c>edge run --metrics</c> scraped while running, and start-up errors of the hardware outputs.</summary>
[Collection(nameof(MqttCollection))]
[Trait("Category", "App")]
public sealed class HardwareAndMetricsRunTests : IDisposable
{
    private readonly TestBundle bundle = TestBundle.Create();

    public void Dispose() => bundle.Dispose();

    [Fact]
    public async Task Metrics_ServedWhileRunning_HealthzTurnsHealthyAfterFrames()
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "edge.dll"), "run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=20", "--budget-ms", "60000", "--metrics", $"127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string metrics = "";
        var healthy = false;
        for (var attempt = 0; attempt < 100 && !healthy; attempt++)
        {
            await Task.Delay(200);
            try
            {
                healthy = (await http.GetAsync($"http://127.0.0.1:{port}/healthz")).StatusCode == HttpStatusCode.OK;
                metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }

        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        Assert.True(healthy, await error);
        Assert.True(Exposition.Number(metrics, "edge_frames_published_total{stream=\"cam0\",model=\"tiny-multilabel\"}") > 0, metrics);
        Assert.True(Exposition.Number(metrics, "edge_stage_latency_seconds_count{stream=\"cam0\",model=\"tiny-multilabel\",stage=\"inference\"}") > 0, metrics);
        Assert.Contains(Exposition.Samples(metrics), sample => sample.Series.StartsWith("edge_model_info{", StringComparison.Ordinal) && sample.Series.Contains("model=\"tiny-multilabel\"", StringComparison.Ordinal));
        Assert.True(Exposition.Number(metrics, "edge_frames_captured_total{stream=\"cam0\"}") > 0, metrics);
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task MetricsOtlp_RunOfFiveFrames_PushesThePublishedFramesToTheCollector()
    {
        var port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var bodies = new List<string>();
        var receiving = Task.Run(async () =>
        {
            while (true)
            {
                var context = await collector.GetContextAsync();
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (bodies)
                {
                    bodies.Add($"{context.Request.Url!.AbsolutePath} {System.Text.Encoding.Latin1.GetString(body.ToArray())}");
                }

                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        var result = EdgeProcess.Run(TimeSpan.FromMinutes(2), "run", "--model", bundle.Directory, "--frames", "5", "--metrics-otlp-endpoint", $"http://127.0.0.1:{port}");

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal(5, result.OutputLines.Length);
        await Task.Delay(100);
        Assert.False(receiving.IsCompleted, receiving.Exception?.ToString());
        string[] received;
        lock (bodies)
        {
            received = [.. bodies];
        }

        // The run's end flushes the meter: the collector has at least that export, about this run's stream.
        var last = Assert.Single(received.Where(body => body.Contains("edge_frames_published", StringComparison.Ordinal)).TakeLast(1));
        Assert.StartsWith("/v1/metrics ", last, StringComparison.Ordinal);
        Assert.Contains("Edge.Runtime", last, StringComparison.Ordinal);
        Assert.Contains("edge_end_to_end_latency", last, StringComparison.Ordinal);
        Assert.Contains("cam0", last, StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_PortInUse_OneLineErrorAtStart()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = EdgeProcess.Run(TimeSpan.FromMinutes(1), "run", "--model", bundle.Directory, "--frames", "1", "--metrics", $"127.0.0.1:{port}");

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Display_OnABusThatDoesNotExist_OneLineErrorAtStart()
    {
        var config = Path.Combine(bundle.Directory, "edge.json");
        File.WriteAllText(config, """{ "display": { "bus": 250 } }""");

        var result = EdgeProcess.Run(TimeSpan.FromMinutes(1), "run", "--model", bundle.Directory, "--frames", "1", "--config", config);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, "250");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
