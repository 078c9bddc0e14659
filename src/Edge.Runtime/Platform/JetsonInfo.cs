using System.Globalization;
using System.Text.RegularExpressions;

namespace Edge.Runtime.Platform;

/// <summary>Whether <c>jetson_clocks</c> pinned the CPU clocks: benchmark numbers on dynamic clocks vary run to run.</summary>
public enum JetsonClocks
{
    Unknown,
    Locked,
    Dynamic,
}

/// <summary>The nvpmodel power mode (its number and, from <c>/etc/nvpmodel.conf</c>, its name such as MAXN).</summary>
public sealed record NvpModelMode(int Id, string? Name);

/// <summary>What makes Jetson benchmark numbers comparable: the board, the L4T release, the power mode and the clocks.</summary>
public sealed partial record JetsonInfo(string? Model, string? L4t, NvpModelMode? NvpModel, JetsonClocks Clocks)
{
    /// <summary>The Jetson under <paramref name="root"/>, or null when the machine is not a Jetson.</summary>
    public static JetsonInfo? Probe(string root = "/")
    {
        var model = DeviceTreeModel(root);
        var release = SysFs.ReadText(SysFs.Under(root, "etc/nv_tegra_release"));
        var isJetson = (model?.Contains("Jetson", StringComparison.OrdinalIgnoreCase) ?? false) || release is not null;
        return isJetson ? new JetsonInfo(model, L4tRelease(release), ReadNvpModel(root), ReadClocks(root)) : null;
    }

    internal static string? DeviceTreeModel(string root) => SysFs.ReadText(SysFs.Under(root, "proc/device-tree/model"));

    /// <summary>"# R36 (release), REVISION: 3.0, GCID: …" is L4T R36.3.0; an unfamiliar first line is kept as it is.</summary>
    private static string? L4tRelease(string? release)
    {
        if (string.IsNullOrWhiteSpace(release))
        {
            return null;
        }

        var match = ReleaseLine().Match(release);
        return match.Success
            ? $"R{match.Groups["major"].Value}.{match.Groups["revision"].Value}"
            : release.Split('\n')[0].TrimStart('#', ' ').Trim();
    }

    private static NvpModelMode? ReadNvpModel(string root)
    {
        int? id = null;
        foreach (var token in SysFs.ReadText(SysFs.Under(root, "var/lib/nvpmodel/status"))?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) ?? [])
        {
            if (token.StartsWith("pmode:", StringComparison.Ordinal)
                && int.TryParse(token.AsSpan("pmode:".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                id = parsed;
            }
        }

        return id is { } mode ? new NvpModelMode(mode, ModeName(root, mode)) : null;
    }

    /// <summary>The NAME of the line <c>&lt; POWER_MODEL ID=0 NAME=MAXN &gt;</c> whose ID is <paramref name="mode"/>.</summary>
    private static string? ModeName(string root, int mode)
    {
        foreach (var line in SysFs.ReadLines(SysFs.Under(root, "etc/nvpmodel.conf")))
        {
            var match = PowerModelLine().Match(line);
            if (match.Success && int.TryParse(match.Groups["id"].ValueSpan, CultureInfo.InvariantCulture, out var id) && id == mode)
            {
                return match.Groups["name"].Value;
            }
        }

        return null;
    }

    /// <summary>
    /// Locked when every CPU's minimum clock equals its maximum, as jetson_clocks leaves them. The maximum is the
    /// power mode's (scaling_max_freq) rather than the silicon's, so clocks locked under a 15 W mode still count.
    /// </summary>
    private static JetsonClocks ReadClocks(string root)
    {
        var readable = 0;
        foreach (var (cpu, _) in SysFs.Numbered(SysFs.Under(root, "sys/devices/system/cpu"), "cpu", directories: true))
        {
            var cpufreq = Path.Join(cpu, "cpufreq");
            var min = SysFs.ReadInteger(Path.Join(cpufreq, "scaling_min_freq"));
            var max = SysFs.ReadInteger(Path.Join(cpufreq, "scaling_max_freq")) ?? SysFs.ReadInteger(Path.Join(cpufreq, "cpuinfo_max_freq"));
            if (min is null || max is null)
            {
                continue; // an offline core (some power modes switch cores off) has no cpufreq to read
            }

            if (min != max)
            {
                return JetsonClocks.Dynamic;
            }

            readable++;
        }

        return readable > 0 ? JetsonClocks.Locked : JetsonClocks.Unknown;
    }

    [GeneratedRegex(@"^#\s*R(?<major>\d+)\s*\(release\),\s*REVISION:\s*(?<revision>[\d.]+)", RegexOptions.Multiline)]
    private static partial Regex ReleaseLine();

    [GeneratedRegex(@"<\s*POWER_MODEL\s+ID=(?<id>\d+)\s+NAME=(?<name>[^\s>]+)")]
    private static partial Regex PowerModelLine();
}
