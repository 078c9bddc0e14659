using System.Diagnostics;

namespace Edge.Testing;

/// <summary>
/// A real, tiny filesystem (Linux tmpfs) mounted on a folder for the test: a disk that fills up, or one that is
/// read-only, as a user's would. Mounting needs root (CI runs as root); elsewhere the tests that need it are skipped
/// (<see cref="TmpfsFactAttribute"/>).
/// </summary>
internal sealed class Tmpfs : IDisposable
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    private Tmpfs(string directory) => Directory = directory;

    /// <summary>Why tmpfs cannot be mounted here, or null when it can.</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    /// <summary>The mount point.</summary>
    public string Directory { get; }

    /// <summary>Mounts a tmpfs of <paramref name="kilobytes"/> on <paramref name="directory"/> (created if missing).</summary>
    public static Tmpfs MountAt(string directory, int kilobytes, bool readOnly = false)
    {
        System.IO.Directory.CreateDirectory(directory);
        Mount(directory, kilobytes, readOnly);
        return new Tmpfs(directory);
    }

    /// <summary>Mounts a tmpfs on a fresh temporary folder.</summary>
    public static Tmpfs Mount(int kilobytes, bool readOnly = false) =>
        MountAt(System.IO.Directory.CreateTempSubdirectory("edge-tmpfs-").FullName, kilobytes, readOnly);

    /// <summary>Takes every free byte with a filler file, so the next write fails with "No space left on device".</summary>
    public string Fill()
    {
        var filler = Path.Combine(Directory, "filler");
        using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
        }

        return filler;
    }

    /// <summary>Makes the mounted filesystem read-only or writable again, as an operator's remount would.</summary>
    public void Remount(bool readOnly)
    {
        var error = Execute("mount", "-o", readOnly ? "remount,ro" : "remount,rw", Directory);
        if (error is not null)
        {
            throw new InvalidOperationException($"remount {Directory}: {error}");
        }
    }

    public void Dispose()
    {
        Execute("umount", Directory);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Mount(string directory, int kilobytes, bool readOnly)
    {
        var error = Execute("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k{(readOnly ? ",ro" : string.Empty)}", "tmpfs", directory);
        if (error is not null)
        {
            throw new InvalidOperationException($"mount tmpfs on {directory}: {error}");
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tmpfs needs Linux";
        }

        try
        {
            using var probe = Mount(16);
            File.WriteAllText(Path.Combine(probe.Directory, "probe"), "x");
            return null;
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            return $"cannot mount a tmpfs here (needs root): {exception.Message}";
        }
    }

    /// <summary>Runs a command; returns null on success, else what it printed.</summary>
    private static string? Execute(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"{command} exited {process.ExitCode}: {error.Trim()}";
    }
}

/// <summary>A fact that needs <see cref="Tmpfs"/>; skipped, saying why, where tmpfs cannot be mounted.</summary>
internal sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.WhyUnavailable is { } why)
        {
            Skip = why;
        }
    }
}

/// <summary>A theory that needs <see cref="Tmpfs"/>; skipped, saying why, where tmpfs cannot be mounted.</summary>
internal sealed class TmpfsTheoryAttribute : TheoryAttribute
{
    public TmpfsTheoryAttribute()
    {
        if (Tmpfs.WhyUnavailable is { } why)
        {
            Skip = why;
        }
    }
}
