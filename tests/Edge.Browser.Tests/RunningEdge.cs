using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Edge.Browser.Tests;

/// <summary>
/// <c>edge run</c> as a child process serving HTTP on a free loopback port for as long as a test needs it; its label
/// sets (stdout) are collected as they come. Disposing stops it the way systemd does (SIGTERM).
/// </summary>
public sealed class RunningEdge : IDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> lines = new();
    private readonly ConcurrentQueue<string> errors = new();

    private RunningEdge(Process process, int port)
    {
        this.process = process;
        Port = port;
        process.OutputDataReceived += (_, line) => Keep(lines, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(errors, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

    /// <summary>Every label-set line printed so far.</summary>
    public IReadOnlyList<string> LabelSets => [.. lines];

    public string StandardError => string.Join('\n', errors);

    /// <summary>Starts <c>edge run ARGUMENTS --http 127.0.0.1:PORT</c> and waits until <c>/readyz</c> answers 200.</summary>
    public static async Task<RunningEdge> StartAsync(TimeSpan readyWithin, params string[] arguments)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "edge.dll"), "run", .. arguments, "--http", $"127.0.0.1:{port}"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in Edge.Cli.Configuration.RunSettings.EnvironmentVariables)
        {
            start.Environment.Remove(name);
        }

        var edge = new RunningEdge(Process.Start(start) ?? throw new InvalidOperationException("could not start edge"), port);
        try
        {
            await edge.WaitUntilReady(readyWithin);
            return edge;
        }
        catch
        {
            edge.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.Dispose();
    }

    private async Task WaitUntilReady(TimeSpan within)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"edge exited with {process.ExitCode} before it was ready: {StandardError}");
            }

            try
            {
                using var ready = await http.GetAsync(Url("/readyz"));
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // a slow start on a loaded machine
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"edge was not ready within {within}: {StandardError}");
    }

    private static void Keep(ConcurrentQueue<string> queue, string? line)
    {
        if (line is not null)
        {
            queue.Enqueue(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
