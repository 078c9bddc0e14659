using System.Buffers.Text;
using Edge.Runtime.Platform;
using Microsoft.Win32.SafeHandles;

namespace Edge.Tools.Benchmarking;

/// <summary>
/// The power rails of a Jetson's INA3221 monitors. JetPack 5 and 6 expose them through hwmon
/// (<c>ina3221/*/hwmon/hwmon*/in{N}_label</c>, <c>in{N}_input</c> in mV, <c>curr{N}_input</c> in mA); JetPack 4
/// through iio (<c>ina3221x/*/iio:device*/rail_name_{N}</c>, <c>in_power{N}_input</c> in mW, or voltage and
/// current). Elsewhere there are none. Reads keep each file open and re-read it from offset 0 (sysfs regenerates
/// the value on every read at offset 0) into one reused buffer, so sampling next to the frame loop allocates nothing.
/// Not thread-safe: one sampler reads at a time.
/// </summary>
internal sealed class PowerRails : IDisposable
{
    private const string NotConnected = "NC"; // how boards label an unused monitor channel

    private readonly Rail[] rails;
    private readonly byte[] buffer = new byte[32];

    private PowerRails(Rail[] rails)
    {
        this.rails = rails;
        Names = Array.ConvertAll(rails, rail => rail.Name);
    }

    public IReadOnlyList<string> Names { get; }

    public int Count => rails.Length;

    /// <summary>The rails under <paramref name="root"/>; none (not an error) on a machine without INA3221 monitors.</summary>
    public static PowerRails Discover(string root = "/")
    {
        var found = new List<Rail>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var device in SysFs.Subfolders(SysFs.Under(root, "sys/bus/i2c/drivers/ina3221")))
        {
            foreach (var (hwmon, _) in SysFs.Numbered(Path.Join(device, "hwmon"), "hwmon", directories: true))
            {
                foreach (var (label, channel) in SysFs.Numbered(hwmon, "in", directories: false, suffix: "_label"))
                {
                    AddRail(found, taken, SysFs.ReadText(label), channel, null, Path.Join(hwmon, $"in{channel}_input"), Path.Join(hwmon, $"curr{channel}_input"));
                }
            }
        }

        foreach (var device in SysFs.Subfolders(SysFs.Under(root, "sys/bus/i2c/drivers/ina3221x")))
        {
            foreach (var (iio, _) in SysFs.Numbered(device, "iio:device", directories: true))
            {
                foreach (var (label, channel) in SysFs.Numbered(iio, "rail_name_", directories: false))
                {
                    AddRail(
                        found,
                        taken,
                        SysFs.ReadText(label),
                        channel,
                        Path.Join(iio, $"in_power{channel}_input"),
                        Path.Join(iio, $"in_voltage{channel}_input"),
                        Path.Join(iio, $"in_current{channel}_input"));
                }
            }
        }

        return new PowerRails([.. found]);
    }

    /// <summary>
    /// Fills <paramref name="watts"/> (one entry per rail, in <see cref="Names"/> order) with each rail's power now;
    /// NaN for a rail whose read failed this time.
    /// </summary>
    public void ReadWatts(Span<double> watts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(watts.Length, rails.Length, nameof(watts));
        for (var i = 0; i < rails.Length; i++)
        {
            var rail = rails[i];
            watts[i] = rail.Power is { } power
                ? ReadMilli(power) / 1e3
                : ReadMilli(rail.Voltage!) * ReadMilli(rail.Current!) / 1e6;
        }
    }

    public void Dispose()
    {
        foreach (var rail in rails)
        {
            rail.Power?.Dispose();
            rail.Voltage?.Dispose();
            rail.Current?.Dispose();
        }
    }

    private static void AddRail(List<Rail> found, HashSet<string> taken, string? name, int channel, string? powerPath, string voltagePath, string currentPath)
    {
        if (string.IsNullOrEmpty(name) || name == NotConnected)
        {
            return;
        }

        if (Open(powerPath) is { } power)
        {
            found.Add(new Rail(SysFs.Distinct(name, taken, channel), power, null, null));
            return;
        }

        var voltage = Open(voltagePath);
        var current = Open(currentPath);
        if (voltage is null || current is null)
        {
            voltage?.Dispose();
            current?.Dispose();
            return;
        }

        found.Add(new Rail(SysFs.Distinct(name, taken, channel), null, voltage, current));
    }

    private static SafeFileHandle? Open(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private double ReadMilli(SafeFileHandle file)
    {
        try
        {
            var length = RandomAccess.Read(file, buffer, fileOffset: 0);
            return Utf8Parser.TryParse(buffer.AsSpan(0, length), out long value, out _) ? value : double.NaN;
        }
        catch (IOException)
        {
            return double.NaN; // the monitor can refuse a read (EAGAIN) while its I2C bus is busy
        }
    }

    /// <summary>Either the power file (iio) or the voltage and current files (hwmon, or iio without power).</summary>
    private sealed record Rail(string Name, SafeFileHandle? Power, SafeFileHandle? Voltage, SafeFileHandle? Current);
}
