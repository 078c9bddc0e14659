using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Edge.Runtime.Platform;

namespace Edge.Tools.Benchmarking;

/// <summary>
/// The machine a benchmark ran on, recorded next to its numbers so that runs on different hardware, software or
/// Jetson power settings are not compared as if alike. Paths are read under a root folder so tests can fake a board.
/// </summary>
public sealed record HostEnvironment(
    string CpuModel,
    int LogicalCores,
    string Os,
    string Architecture,
    string DotNet,
    string OnnxRuntime,
    string? CpuGovernor,
    IReadOnlyList<Temperature> Temperatures,
    JetsonInfo? Jetson)
{
    /// <summary>Probes the machine; never throws: what cannot be read is null, "unknown" or left out.</summary>
    public static HostEnvironment Probe(string root = "/") => new(
        CpuIdentity.Model(root),
        Environment.ProcessorCount,
        OperatingSystem(root),
        RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        RuntimeInformation.FrameworkDescription,
        OnnxRuntimeVersion(),
        SysFs.ReadText(SysFs.Under(root, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")),
        ThermalZones.Read(root),
        JetsonInfo.Probe(root));

    /// <summary>Writes this environment as one JSON object value (snake_case keys; null for what is unknown).</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("cpu_model", CpuModel);
        writer.WriteNumber("cores", LogicalCores);
        writer.WriteString("os", Os);
        writer.WriteString("arch", Architecture);
        writer.WriteString("dotnet", DotNet);
        writer.WriteString("onnxruntime", OnnxRuntime);
        writer.WriteString("cpu_governor", CpuGovernor);
        writer.WriteStartObject("temperatures_c");
        foreach (var temperature in Temperatures)
        {
            writer.WriteNumber(temperature.Name, Math.Round(temperature.Celsius, 1));
        }

        writer.WriteEndObject();
        if (Jetson is { } jetson)
        {
            writer.WriteStartObject("jetson");
            writer.WriteString("model", jetson.Model);
            writer.WriteString("l4t", jetson.L4t);
            if (jetson.NvpModel is { } mode)
            {
                writer.WriteStartObject("nvpmodel");
                writer.WriteNumber("id", mode.Id);
                writer.WriteString("name", mode.Name);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("nvpmodel");
            }

            writer.WriteString("jetson_clocks", ClocksText(jetson.Clocks));
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("jetson");
        }

        writer.WriteEndObject();
    }

    /// <summary>Key/value lines for the terminal table; the Jetson lines only on a Jetson.</summary>
    public IEnumerable<(string Key, string Value)> Describe()
    {
        yield return ("cpu", $"{CpuModel} ({LogicalCores} logical cores)");
        yield return ("cpu governor", CpuGovernor ?? "unknown");
        yield return ("os", $"{Os} ({Architecture})");
        yield return (".net", DotNet);
        yield return ("onnx runtime", OnnxRuntime);
        yield return ("temperatures", Temperatures.Count == 0
            ? "none readable"
            : string.Join(", ", Temperatures.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} {t.Celsius:0.0} °C"))));
        if (Jetson is { } jetson)
        {
            yield return ("jetson", jetson.Model ?? "unknown model");
            yield return ("l4t", jetson.L4t ?? "unknown");
            yield return ("nvpmodel", jetson.NvpModel is { } mode
                ? string.Create(CultureInfo.InvariantCulture, $"{mode.Id} ({mode.Name ?? "unnamed"})")
                : "unknown");
            yield return ("jetson_clocks", ClocksText(jetson.Clocks));
        }
    }

    private static string ClocksText(JetsonClocks clocks) => clocks switch
    {
        JetsonClocks.Locked => "locked",
        JetsonClocks.Dynamic => "dynamic",
        _ => "unknown",
    };

    /// <summary>The distribution's PRETTY_NAME (which the kernel string lacks) with the kernel in brackets.</summary>
    private static string OperatingSystem(string root)
    {
        foreach (var line in SysFs.ReadLines(SysFs.Under(root, "etc/os-release")))
        {
            if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
            {
                var pretty = line["PRETTY_NAME=".Length..].Trim().Trim('"', '\'');
                if (pretty.Length > 0)
                {
                    return $"{pretty} ({RuntimeInformation.OSDescription})";
                }
            }
        }

        return RuntimeInformation.OSDescription;
    }

    private static string OnnxRuntimeVersion()
    {
        try
        {
            return Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString();
        }
        catch (Exception exception) when (exception is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            return "unavailable";
        }
    }
}
