using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Edge.Cli.Tests.Service;

/// <summary>The app under systemd's notify protocol (a fake NOTIFY_SOCKET) and stopped with SIGTERM.</summary>
[Collection(nameof(MqttCollection))]
[Trait("Category", "App")]
public sealed class SystemdTests : IDisposable
{
    private readonly TestBundle bundle = TestBundle.Create();
    private readonly string socketPath = Path.Combine(Path.GetTempPath(), $"edge-notify-{Guid.NewGuid():N}.sock");

    public void Dispose()
    {
        bundle.Dispose();
        File.Delete(socketPath);
    }

    [Fact]
    public async Task Notify_ReadyAfterTheFirstFrame_WatchdogPings_StoppingAtTheEnd()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var received = new List<string>();
        var listener = Task.Run(() =>
        {
            var buffer = new byte[256];
            socket.ReceiveTimeout = 15000;
            try
            {
                while (true)
                {
                    var length = socket.Receive(buffer);
                    var text = Encoding.UTF8.GetString(buffer, 0, length);
                    lock (received)
                    {
                        received.Add(text);
                    }

                    if (text.Contains("STOPPING=1", StringComparison.Ordinal))
                    {
                        return;
                    }
                }
            }
            catch (SocketException)
            {
                // timed out: the assertions below say what was missing
            }
        });

        var result = EdgeProcess.Run(TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "200000" },
            "run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=20", "--frames", "30", "--budget-ms", "60000");
        await listener.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, result.ExitCode);
        List<string> messages;
        lock (received)
        {
            messages = [.. received];
        }

        Assert.Equal("READY=1", messages[0]);
        Assert.True(messages.Count(m => m == "WATCHDOG=1") >= 3, string.Join(" | ", messages));
        Assert.Equal("STOPPING=1", messages[^1]);
    }

    [Fact]
    public async Task Sigterm_FinishesCleanly_PublishesOffline_ExitsZero()
    {
        using var broker = new MosquittoBroker().Start();
        using var recorder = new MqttRecorder(broker.Port, "edge/rover/#");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "edge.dll"), "run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=20", "--budget-ms", "60000", "--device", "rover", "--mqtt", broker.Uri })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(recorder.WaitFor(m => m.Count(x => x.Topic == "edge/rover/cam0/labels") >= 10, TimeSpan.FromSeconds(30)), "no label sets before SIGTERM");

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("published", await error, StringComparison.Ordinal); // the run summary was printed
        Assert.NotEmpty(await output);
        Assert.True(recorder.WaitFor(m => m.LastOrDefault(x => x.Topic == "edge/rover/available").Payload == "offline", TimeSpan.FromSeconds(10)));
    }
}
