using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Edge.Server.Tests.Metrics;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package) scraping one target every second, with its storage in a
/// temporary folder and its API on a free loopback port; killed on disposal.
/// </summary>
internal sealed class PrometheusServer : IDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly string folder = Directory.CreateTempSubdirectory("edge-prometheus-").FullName;
    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Uri api;

    private PrometheusServer(string target)
    {
        var port = FreePort();
        api = new Uri($"http://127.0.0.1:{port}/");
        var config = Path.Combine(folder, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: edge
                static_configs:
                  - targets: ["{target}"]
            """);
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn" })
        {
            start.ArgumentList.Add(argument);
        }

        process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, line) => Log(line.Data);
        process.OutputDataReceived += (_, line) => Log(line.Data);
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    /// <summary>What Prometheus wrote (its warnings and errors), for failure messages.</summary>
    public string Log()
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (<c>HOST:PORT</c>) and waits until its API is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string target)
    {
        Assert.True(File.Exists(Binary), $"{Binary} not found: this test runs a real Prometheus server; install Debian's prometheus package (apt-get install prometheus)");
        var server = new PrometheusServer(target);
        try
        {
            await server.WaitUntilReadyAsync();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Evaluates an instant PromQL query; its single sample's value, or null while the result is empty.</summary>
    public async Task<double?> QueryAsync(string promql)
    {
        var json = await client.GetStringAsync(new Uri(api, $"api/v1/query?query={Uri.EscapeDataString(promql)}"));
        using var answer = JsonDocument.Parse(json);
        Assert.Equal("success", answer.RootElement.GetProperty("status").GetString());
        var result = answer.RootElement.GetProperty("data").GetProperty("result");
        Assert.True(result.GetArrayLength() <= 1, $"{promql} gave {result.GetArrayLength()} series: {json}");
        return result.GetArrayLength() == 0 ? null : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Queries until <paramref name="done"/> holds for the value, failing with the last one (and Prometheus's log) after <paramref name="patience"/>.</summary>
    public async Task<double?> QueryUntilAsync(string promql, Func<double?, bool> done, TimeSpan patience)
    {
        var waited = Stopwatch.StartNew();
        double? value;
        while (!done(value = await QueryAsync(promql)))
        {
            Assert.True(waited.Elapsed < patience, $"{promql} was still {value?.ToString(CultureInfo.InvariantCulture) ?? "empty"} after {patience.TotalSeconds} s; Prometheus said: {Log()}");
            await Task.Delay(250);
        }

        return value;
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(10_000);
        }
        finally
        {
            process.Dispose();
            client.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task WaitUntilReadyAsync()
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(process.HasExited, $"prometheus exited with {(process.HasExited ? process.ExitCode : 0)}: {Log()}");
            try
            {
                using var ready = await client.GetAsync(new Uri(api, "-/ready"));
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"prometheus was not ready within 30 s: {Log()}");
            await Task.Delay(100);
        }
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }
}
