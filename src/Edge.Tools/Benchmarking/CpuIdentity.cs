using System.Globalization;
using System.Runtime.InteropServices;
using Edge.Runtime.Platform;

namespace Edge.Tools.Benchmarking;

/// <summary>
/// The CPU's name from /proc/cpuinfo. x86 kernels give a "model name"; arm64 kernels give at most "ARMv8 Processor
/// rev 1 (v8l)", so there the core is named from its implementer and part numbers, then from older kernels'
/// "Hardware" line, then from the device-tree board model.
/// </summary>
internal static class CpuIdentity
{
    private static readonly Dictionary<(int Implementer, int Part), string> ArmCores = new()
    {
        [(0x41, 0xd03)] = "ARM Cortex-A53",
        [(0x41, 0xd07)] = "ARM Cortex-A57", // Jetson Nano, TX1, TX2
        [(0x41, 0xd08)] = "ARM Cortex-A72",
        [(0x41, 0xd0b)] = "ARM Cortex-A76",
        [(0x41, 0xd0c)] = "ARM Neoverse-N1",
        [(0x41, 0xd42)] = "ARM Cortex-A78AE", // Jetson Orin
        [(0x4e, 0x003)] = "NVIDIA Denver 2", // Jetson TX2
        [(0x4e, 0x004)] = "NVIDIA Carmel", // Jetson Xavier
    };

    public static string Model(string root)
    {
        string? modelName = null, hardware = null, implementer = null, part = null;
        foreach (var line in SysFs.ReadLines(SysFs.Under(root, "proc/cpuinfo")))
        {
            var colon = line.IndexOf(':');
            var value = colon < 0 ? "" : line[(colon + 1)..].Trim();
            if (value.Length == 0)
            {
                continue;
            }

            switch (line[..colon].Trim())
            {
                case "model name": modelName ??= value; break;
                case "Hardware": hardware ??= value; break;
                case "CPU implementer": implementer ??= value; break;
                case "CPU part": part ??= value; break;
            }
        }

        var isGenericArm = modelName?.StartsWith("ARMv", StringComparison.Ordinal) ?? false;
        return (isGenericArm ? null : modelName)
            ?? ArmCore(implementer, part)
            ?? hardware
            ?? JetsonInfo.DeviceTreeModel(root)
            ?? modelName
            ?? (part is null ? null : $"ARM CPU part {part}")
            ?? RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
    }

    private static string? ArmCore(string? implementer, string? part) =>
        Hex(implementer) is { } i && Hex(part) is { } p && ArmCores.TryGetValue((i, p), out var name) ? name : null;

    private static int? Hex(string? text) =>
        text is not null && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        && int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
