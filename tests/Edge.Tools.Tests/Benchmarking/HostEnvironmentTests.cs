using System.Text.Json;
using Edge.Runtime.Platform;
using Edge.Tools.Benchmarking;

namespace Edge.Tools.Tests.Benchmarking;

public sealed class HostEnvironmentTests
{
    [Fact]
    public void Probe_OrinTree_ReadsJetsonDetails()
    {
        using var root = FakeRoot.Orin();

        var host = HostEnvironment.Probe(root.Path);

        Assert.Equal("ARM Cortex-A78AE", host.CpuModel);
        Assert.Equal("schedutil", host.CpuGovernor);
        Assert.StartsWith("Ubuntu 22.04.4 LTS (", host.Os, StringComparison.Ordinal);
        Assert.Equal(new JetsonInfo(FakeRoot.OrinModel, "R36.3.0", new NvpModelMode(2, "MODE_30W"), JetsonClocks.Locked), host.Jetson);
    }

    [Fact]
    public void Probe_OrinTree_ReadsThermalZonesInZoneOrderWithoutPoweredDownSensors()
    {
        using var root = FakeRoot.Orin();

        var host = HostEnvironment.Probe(root.Path);

        Assert.Equal(
            [new Temperature("cpu-thermal", 45.3), new Temperature("gpu-thermal", 43.8), new Temperature("tj-thermal", 46.5)],
            host.Temperatures);
    }

    [Fact]
    public void Probe_DuplicateZoneTypes_GetDistinctNames()
    {
        using var root = FakeRoot.Empty();
        root.Write("sys/class/thermal/thermal_zone0/type", "acpitz\n");
        root.Write("sys/class/thermal/thermal_zone0/temp", "27800\n");
        root.Write("sys/class/thermal/thermal_zone1/type", "acpitz\n");
        root.Write("sys/class/thermal/thermal_zone1/temp", "29800\n");

        var temperatures = ThermalZones.Read(root.Path);

        Assert.Equal([new Temperature("acpitz", 27.8), new Temperature("acpitz_1", 29.8)], temperatures);
    }

    [Theory]
    [InlineData(1728000, 1728000, JetsonClocks.Locked)]
    [InlineData(729600, 1728000, JetsonClocks.Dynamic)]
    public void Probe_OrinCpuClocks_GiveJetsonClocksState(int minKHz, int maxKHz, JetsonClocks expected)
    {
        using var root = FakeRoot.Orin();
        root.SetCpuClocks(minKHz, maxKHz);

        Assert.Equal(expected, HostEnvironment.Probe(root.Path).Jetson?.Clocks);
    }

    [Fact]
    public void Probe_JetPack4Tree_ReadsReleaseAndDynamicClocksWithoutNvpModel()
    {
        using var root = FakeRoot.JetPack4Nano();

        var jetson = HostEnvironment.Probe(root.Path).Jetson;

        Assert.Equal(new JetsonInfo("NVIDIA Jetson Nano Developer Kit", "R32.7.1", null, JetsonClocks.Dynamic), jetson);
    }

    [Fact]
    public void Probe_TegraReleaseOnly_IsJetsonWithUnknownDetails()
    {
        using var root = FakeRoot.Empty();
        root.Write("etc/nv_tegra_release", "something unfamiliar\n");

        var jetson = HostEnvironment.Probe(root.Path).Jetson;

        Assert.Equal(new JetsonInfo(null, "something unfamiliar", null, JetsonClocks.Unknown), jetson);
    }

    [Fact]
    public void Probe_NvpModeMissingFromConf_HasNoName()
    {
        using var root = FakeRoot.Orin();
        root.Write("var/lib/nvpmodel/status", "pmode:0007 fmode:quiet\n");

        Assert.Equal(new NvpModelMode(7, null), HostEnvironment.Probe(root.Path).Jetson?.NvpModel);
    }

    [Fact]
    public void Probe_NonJetsonDeviceTree_IsNotJetson()
    {
        using var root = FakeRoot.Empty();
        root.Write("proc/device-tree/model", "Raspberry Pi 5 Model B Rev 1.0\0");

        Assert.Null(HostEnvironment.Probe(root.Path).Jetson);
    }

    [Fact]
    public void Probe_EmptyTree_IsPlainMachineWithNothingFromFiles()
    {
        using var root = FakeRoot.Empty();

        var host = HostEnvironment.Probe(root.Path);

        Assert.Null(host.Jetson);
        Assert.Null(host.CpuGovernor);
        Assert.Empty(host.Temperatures);
        Assert.Equal(System.Runtime.InteropServices.RuntimeInformation.OSDescription, host.Os);
        Assert.Equal(host.Architecture, host.CpuModel);
        Assert.Equal(Environment.ProcessorCount, host.LogicalCores);
    }

    [Theory]
    [InlineData("model name\t: Intel(R) Core(TM) i7-9700 CPU @ 3.00GHz\nCPU part\t: 0xd42\n", "Intel(R) Core(TM) i7-9700 CPU @ 3.00GHz")]
    [InlineData("model name\t: ARMv8 Processor rev 0 (v8l)\nCPU implementer\t: 0x4e\nCPU part\t: 0x004\n", "NVIDIA Carmel")]
    [InlineData("CPU implementer\t: 0x41\nCPU part\t: 0xd07\nHardware\t: NVIDIA Tegra\n", "ARM Cortex-A57")]
    [InlineData("CPU implementer\t: 0x41\nCPU part\t: 0xd99\nHardware\t: NVIDIA Tegra\n", "NVIDIA Tegra")]
    [InlineData("model name\t: ARMv8 Processor rev 1 (v8l)\nCPU implementer\t: 0x41\nCPU part\t: 0xd99\n", "NVIDIA Jetson Orin Nano Developer Kit")]
    public void Probe_Cpuinfo_NamesTheCpu(string cpuinfo, string expected)
    {
        using var root = FakeRoot.Empty();
        root.Write("proc/cpuinfo", cpuinfo);
        root.Write("proc/device-tree/model", "NVIDIA Jetson Orin Nano Developer Kit\0");

        Assert.Equal(expected, HostEnvironment.Probe(root.Path).CpuModel);
    }

    [Fact]
    public void Probe_ThisMachine_DoesNotThrowAndFindsCores()
    {
        var host = HostEnvironment.Probe();

        Assert.True(host.LogicalCores > 0);
        Assert.False(string.IsNullOrWhiteSpace(host.CpuModel));
        Assert.False(string.IsNullOrWhiteSpace(host.OnnxRuntime));
        Assert.NotEmpty(host.Describe());
    }

    [Fact]
    public void WriteJson_OrinTree_WritesSnakeCaseObject()
    {
        using var root = FakeRoot.Orin();
        var host = HostEnvironment.Probe(root.Path);

        using var json = JsonDocument.Parse(Write(host));
        var document = json.RootElement;

        Assert.Equal(
            ["cpu_model", "cores", "os", "arch", "dotnet", "onnxruntime", "cpu_governor", "temperatures_c", "jetson"],
            document.EnumerateObject().Select(property => property.Name));
        Assert.Equal("ARM Cortex-A78AE", document.GetProperty("cpu_model").GetString());
        Assert.Equal(Environment.ProcessorCount, document.GetProperty("cores").GetInt32());
        Assert.Equal(host.OnnxRuntime, document.GetProperty("onnxruntime").GetString());
        Assert.Equal(46.5, document.GetProperty("temperatures_c").GetProperty("tj-thermal").GetDouble());
        var jetson = document.GetProperty("jetson");
        Assert.Equal(FakeRoot.OrinModel, jetson.GetProperty("model").GetString());
        Assert.Equal("R36.3.0", jetson.GetProperty("l4t").GetString());
        Assert.Equal(2, jetson.GetProperty("nvpmodel").GetProperty("id").GetInt32());
        Assert.Equal("MODE_30W", jetson.GetProperty("nvpmodel").GetProperty("name").GetString());
        Assert.Equal("locked", jetson.GetProperty("jetson_clocks").GetString());
    }

    [Fact]
    public void WriteJson_PlainMachine_WritesNullsAndEmptyTemperatures()
    {
        using var root = FakeRoot.Empty();

        using var json = JsonDocument.Parse(Write(HostEnvironment.Probe(root.Path)));
        var document = json.RootElement;

        Assert.Equal(JsonValueKind.Null, document.GetProperty("jetson").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.GetProperty("cpu_governor").ValueKind);
        Assert.Empty(document.GetProperty("temperatures_c").EnumerateObject());
    }

    [Fact]
    public void Describe_Orin_ListsHostAndJetsonLines()
    {
        using var root = FakeRoot.Orin();

        var lines = HostEnvironment.Probe(root.Path).Describe().ToDictionary(line => line.Key, line => line.Value);

        Assert.Equal($"ARM Cortex-A78AE ({Environment.ProcessorCount} logical cores)", lines["cpu"]);
        Assert.Equal("cpu-thermal 45.3 °C, gpu-thermal 43.8 °C, tj-thermal 46.5 °C", lines["temperatures"]);
        Assert.Equal("2 (MODE_30W)", lines["nvpmodel"]);
        Assert.Equal("locked", lines["jetson_clocks"]);
        Assert.Equal("R36.3.0", lines["l4t"]);
    }

    [Fact]
    public void Describe_PlainMachine_HasNoJetsonLines()
    {
        using var root = FakeRoot.Empty();

        var keys = HostEnvironment.Probe(root.Path).Describe().Select(line => line.Key);

        Assert.DoesNotContain("jetson", keys);
        Assert.Contains("cpu", keys);
    }

    private static byte[] Write(HostEnvironment host)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            host.WriteJson(writer);
        }

        return stream.ToArray();
    }
}
