using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Edge.Testing.Rtsp;

/// <summary>
/// A real RTSP server (GStreamer's, from tests/rtsp/serve_test_pattern.py) serving an H.264 test pattern on a free
/// loopback port, started by the test so that it can be killed and restarted on the same port. Needs Debian's
/// gir1.2-gst-rtsp-server-1.0, python3-gi and gstreamer1.0-plugins-ugly (installed by .ci/run and run-tests); when
/// they are missing the test fails saying so rather than passing untested.
/// </summary>
public sealed class RtspTestServer : IDisposable
{
    public const string Packages = "gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-libav";
    private const string Python = "/usr/bin/python3";

    private readonly string? user;
    private readonly string? password;
    private readonly int fps;
    private readonly string[] options;
    private Process? process;

    /// <param name="options">More options for the server script, e.g. <c>--size 322x242</c>, <c>--audio</c> (a second,
    /// audio track) or <c>--audio-only</c> (no video track).</param>
    public RtspTestServer(string? user = null, string? password = null, int fps = 15, params string[] options)
    {
        this.options = options;
        this.user = user;
        this.password = password;
        this.fps = fps;
        Port = FreePort();
    }

    public int Port { get; }

    /// <summary>The stream's URL with the credentials, if any, percent-encoded into it.</summary>
    public string Url => user is null
        ? $"{Scheme}://127.0.0.1:{Port}{Path}"
        : $"{Scheme}://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password ?? string.Empty)}@127.0.0.1:{Port}{Path}";

    public string Path => "/test";

    private static string Scheme => "rtsp";

    public int Fps => fps;

    public RtspTestServer Start()
    {
        var script = FindScript("serve_test_pattern.py");
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"the stream test server needs {Python} with GStreamer's RTSP server: install {Packages}");
        }

        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--fps", fps.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var option in options)
        {
            start.ArgumentList.Add(option);
        }

        if (user is not null)
        {
            start.ArgumentList.Add("--user");
            start.ArgumentList.Add(user);
            start.ArgumentList.Add("--password");
            start.ArgumentList.Add(password ?? string.Empty);
        }

        process = Process.Start(start) ?? throw new InvalidOperationException("could not start the RTSP test server");
        var ready = process.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(30)) || ready.Result is not { } line || !line.StartsWith("ready ", StringComparison.Ordinal))
        {
            // The script's output ends before the process is reaped: give it a moment, then read why it stopped.
            var error = process.WaitForExit(TimeSpan.FromSeconds(5)) ? process.StandardError.ReadToEnd() : "no 'ready' line within 30 s";
            Kill();
            throw new InvalidOperationException($"the RTSP test server did not start ({error.Trim()}): install {Packages}");
        }

        return this;
    }

    /// <summary>Freezes the server (SIGSTOP) as a network stall would: its connection stays open and nothing arrives,
    /// then after <see cref="Resume"/> the frames it made meanwhile arrive in a burst.</summary>
    public void Pause() => Signal("-STOP");

    public void Resume() => Signal("-CONT");

    /// <summary>Kills the server abruptly, as a camera losing power would.</summary>
    public void Kill()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            process.WaitForExit();
        }

        process?.Dispose();
        process = null;
    }

    public void Dispose()
    {
        if (process is { HasExited: false })
        {
            Resume();
        }

        Kill();
    }

    private void Signal(string signal)
    {
        var id = process?.Id ?? throw new InvalidOperationException("the stream test server is not running");
        using var kill = Process.Start("kill", [signal, id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) ?? throw new InvalidOperationException("could not run kill");
        kill.WaitForExit();
    }

    private static string FindScript(string script)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = System.IO.Path.Combine(directory.FullName, "tests", "rtsp", script);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/rtsp/{script} not found above {AppContext.BaseDirectory}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
