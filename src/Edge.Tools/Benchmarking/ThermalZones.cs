using Edge.Runtime.Platform;
namespace Edge.Tools.Benchmarking;

/// <summary>One thermal sensor: its zone's <c>type</c> and the reading in degrees Celsius.</summary>
public readonly record struct Temperature(string Name, double Celsius);

/// <summary>The kernel's thermal zones (<c>/sys/class/thermal/thermal_zone*</c>); empty where there are none, as in many VMs.</summary>
internal static class ThermalZones
{
    // Tegra reports -256 °C for a sensor that is powered down (the DLA's zone while the DLA is idle, for instance).
    private const double PoweredDownBelowCelsius = -100;

    public static IReadOnlyList<Temperature> Read(string root = "/")
    {
        var temperatures = new List<Temperature>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (zone, number) in SysFs.Numbered(SysFs.Under(root, "sys/class/thermal"), "thermal_zone", directories: true))
        {
            var type = SysFs.ReadText(Path.Join(zone, "type"));
            var milliCelsius = SysFs.ReadInteger(Path.Join(zone, "temp"));
            if (string.IsNullOrEmpty(type) || milliCelsius is not { } reading || reading / 1000.0 < PoweredDownBelowCelsius)
            {
                continue;
            }

            temperatures.Add(new Temperature(SysFs.Distinct(type, taken, number), reading / 1000.0));
        }

        return temperatures;
    }
}
