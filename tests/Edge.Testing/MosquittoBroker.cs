using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Edge.Testing;

/// <summary>
/// A real Mosquitto broker (Debian package <c>mosquitto</c>, installed by .ci/run) on a free loopback port, started
/// by the test so it can be killed and restarted on the same port; optionally with a password file, and optionally
/// persistent (sessions and queued messages survive a graceful stop and restart).
/// </summary>
internal sealed class MosquittoBroker : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("edge-mosquitto-").FullName;
    private Process? process;

    public MosquittoBroker(string? username = null, string? password = null, bool persistent = false)
    {
        Port = FreePort();
        var config = new List<string> { $"listener {Port} 127.0.0.1" };
        if (persistent)
        {
            var store = Directory.CreateDirectory(Path.Combine(directory, "store")).FullName;
            config.Add("persistence true");
            config.Add($"persistence_location {store}/");
            if (!OperatingSystem.IsWindows())
            {
                // mosquitto drops from root to its own user, which must write the store.
                File.SetUnixFileMode(store, (UnixFileMode)0b111_111_111);
            }
        }
        else
        {
            config.Add("persistence false");
        }

        if (username is not null)
        {
            var passwords = Path.Combine(directory, "passwords");
            Run("mosquitto_passwd", "-b", "-c", passwords, username, password ?? string.Empty);
            config.Add("allow_anonymous false");
            config.Add($"password_file {passwords}");
        }
        else
        {
            config.Add("allow_anonymous true");
        }

        File.WriteAllLines(ConfigPath, config);

        // Started as root, mosquitto drops to its own user before reading the password file: let it read the folder.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }

    public static string Executable => File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";

    public int Port { get; }

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    private string ConfigPath => Path.Combine(directory, "mosquitto.conf");

    public MosquittoBroker Start()
    {
        process = Process.Start(new ProcessStartInfo(Executable, ["-c", ConfigPath]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("could not start mosquitto");
        WaitUntilListening();
        return this;
    }

    /// <summary>
    /// Kills the broker abruptly (no clean disconnects), as a crash or a power cut would; or, <paramref name="gracefully"/>,
    /// with SIGTERM, as a service restart would: a persistent broker then saves its sessions and queues first.
    /// </summary>
    public void Kill(bool gracefully = false)
    {
        if (process is { HasExited: false })
        {
            if (gracefully && !OperatingSystem.IsWindows())
            {
                using var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) ?? throw new InvalidOperationException("could not run kill");
                term.WaitForExit();
            }
            else
            {
                process.Kill();
            }

            process.WaitForExit();
        }

        process?.Dispose();
        process = null;
    }

    public void Dispose()
    {
        Kill();
        Directory.Delete(directory, recursive: true);
    }

    private void WaitUntilListening()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException($"mosquitto did not listen on port {Port}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string file, params string[] arguments)
    {
        using var tool = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardError = true }) ?? throw new InvalidOperationException($"could not run {file}");
        tool.WaitForExit();
        if (tool.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {tool.StandardError.ReadToEnd()}");
        }
    }
}
