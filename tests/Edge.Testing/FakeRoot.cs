namespace Edge.Testing;

/// <summary>
/// A fake filesystem root in a temp folder for <c>HostEnvironment.Probe(root)</c> and <c>PowerRails.Discover(root)</c>.
/// Device folders are symbolic links, as in sysfs, so discovery is tested through links too. Deleted on dispose.
/// </summary>
internal sealed class FakeRoot : IDisposable
{
    public const string OrinModel = "NVIDIA Jetson AGX Orin Developer Kit";

    private FakeRoot()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edge-envprobe-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The rail files of <see cref="Orin"/>'s INA3221, to rewrite during a test.</summary>
    public string OrinHwmon => At("sys/devices/platform/bus@0/c240000.i2c/i2c-1/1-0040/hwmon/hwmon1");

    public static FakeRoot Empty() => new();

    /// <summary>
    /// An Orin on L4T R36.3.0 in nvpmodel mode 2 (MODE_30W) with jetson_clocks applied (min = max on the online
    /// cores; cpu4 offline), four thermal zones (one powered down) and three rails: VDD_IN 5000 mV × 2000 mA = 10 W,
    /// VDD_CPU_GPU_CV 5000 mV × 400 mA = 2 W, VDD_SOC 5000 mV × 600 mA = 3 W.
    /// </summary>
    public static FakeRoot Orin()
    {
        var root = new FakeRoot();
        root.Write("proc/device-tree/model", OrinModel + "\0");
        root.Write("proc/cpuinfo", string.Concat(Enumerable.Range(0, 2).Select(cpu => $"""
            processor	: {cpu}
            model name	: ARMv8 Processor rev 1 (v8l)
            BogoMIPS	: 62.50
            CPU implementer	: 0x41
            CPU architecture: 8
            CPU part	: 0xd42
            CPU revision	: 1


            """)));
        root.Write("etc/os-release", "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n");
        root.Write("etc/nv_tegra_release", "# R36 (release), REVISION: 3.0, GCID: 36191598, BOARD: generic, EABI: aarch64, DATE: Mon May  6 17:34:21 UTC 2024\n# KERNEL_VARIANT: oot\n");
        root.Write("var/lib/nvpmodel/status", "pmode:0002 fmode:quiet\n");
        root.Write("etc/nvpmodel.conf", """
            < PARAM TYPE=FILE NAME=CPU_ONLINE >
            CORE_0 /sys/devices/system/cpu/cpu0/online
            < POWER_MODEL ID=0 NAME=MAXN >
            CPU_ONLINE CORE_0 1
            < POWER_MODEL ID=1 NAME=MODE_15W >
            CPU_ONLINE CORE_0 1
            < POWER_MODEL ID=2 NAME=MODE_30W >
            CPU_ONLINE CORE_0 1
            < PM_CONFIG DEFAULT=2 >
            """);
        root.Write("sys/devices/system/cpu/cpufreq/policy0/scaling_governor", "schedutil\n");
        root.SetCpuClocks(minKHz: 1728000, maxKHz: 1728000);
        root.Write("sys/devices/system/cpu/cpufreq/policy0/cpuinfo_max_freq", "2201600\n");
        for (var cpu = 0; cpu < 4; cpu++)
        {
            root.Link($"sys/devices/system/cpu/cpu{cpu}/cpufreq", "sys/devices/system/cpu/cpufreq/policy0");
        }

        root.Write("sys/devices/system/cpu/cpu4/online", "0\n");
        root.Zone(0, "cpu-thermal", "45300");
        root.Zone(1, "gpu-thermal", "43800");
        root.Zone(2, "cv0-thermal", "-256000");
        root.Zone(10, "tj-thermal", "46500");

        const string device = "sys/devices/platform/bus@0/c240000.i2c/i2c-1/1-0040";
        root.Link("sys/bus/i2c/drivers/ina3221/1-0040", device);
        root.Write("sys/bus/i2c/drivers/ina3221/bind", "");
        root.Write("sys/module/ina3221/uevent", "");
        root.Link("sys/bus/i2c/drivers/ina3221/module", "sys/module/ina3221");
        root.Write($"{device}/name", "ina3221\n");
        root.Rail(1, "VDD_IN", 5000, 2000);
        root.Rail(2, "VDD_CPU_GPU_CV", 5000, 400);
        root.Rail(3, "VDD_SOC", 5000, 600);
        root.Write($"{device}/hwmon/hwmon1/in7_label", "sum of shunt voltages\n"); // no current: not a rail
        root.Write($"{device}/hwmon/hwmon1/in7_input", "12\n");
        return root;
    }

    /// <summary>
    /// A Nano on JetPack 4 (L4T R32.7.1, iio rails, dynamic clocks, no nvpmodel status): POM_5V_IN 4520 mW,
    /// POM_5V_GPU 120 mW, POM_5V_CPU without a power file, 5000 mV × 300 mA = 1.5 W.
    /// </summary>
    public static FakeRoot JetPack4Nano()
    {
        var root = new FakeRoot();
        root.Write("proc/device-tree/model", "NVIDIA Jetson Nano Developer Kit\0");
        root.Write("etc/nv_tegra_release", "# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022\n");
        for (var cpu = 0; cpu < 2; cpu++)
        {
            root.Write($"sys/devices/system/cpu/cpu{cpu}/cpufreq/scaling_min_freq", "102000\n");
            root.Write($"sys/devices/system/cpu/cpu{cpu}/cpufreq/scaling_max_freq", "1479000\n");
        }

        const string iio = "sys/devices/7000c000.i2c/i2c-6/6-0040/iio:device0";
        root.Link("sys/bus/i2c/drivers/ina3221x/6-0040", "sys/devices/7000c000.i2c/i2c-6/6-0040");
        root.Write($"{iio}/rail_name_0", "POM_5V_IN\n");
        root.Write($"{iio}/in_power0_input", "4520\n");
        root.Write($"{iio}/in_voltage0_input", "5080\n");
        root.Write($"{iio}/in_current0_input", "890\n");
        root.Write($"{iio}/rail_name_1", "POM_5V_GPU\n");
        root.Write($"{iio}/in_power1_input", "120\n");
        root.Write($"{iio}/rail_name_2", "POM_5V_CPU\n");
        root.Write($"{iio}/in_voltage2_input", "5000\n");
        root.Write($"{iio}/in_current2_input", "300\n");
        return root;
    }

    public string At(string relative) => System.IO.Path.Join(Path, relative);

    /// <summary>Writes in place (same inode), as sysfs values change under a file handle kept open.</summary>
    public void Write(string relative, string content)
    {
        var path = At(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public void SetCpuClocks(int minKHz, int maxKHz)
    {
        Write("sys/devices/system/cpu/cpufreq/policy0/scaling_min_freq", $"{minKHz}\n");
        Write("sys/devices/system/cpu/cpufreq/policy0/scaling_max_freq", $"{maxKHz}\n");
    }

    /// <summary>Sets a rail of <see cref="Orin"/> (channel 1 = VDD_IN, 2 = VDD_CPU_GPU_CV, 3 = VDD_SOC).</summary>
    public void SetRail(int channel, int millivolts, int milliamps)
    {
        File.WriteAllText(System.IO.Path.Join(OrinHwmon, $"in{channel}_input"), $"{millivolts}\n");
        File.WriteAllText(System.IO.Path.Join(OrinHwmon, $"curr{channel}_input"), $"{milliamps}\n");
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);

    private void Rail(int channel, string label, int millivolts, int milliamps)
    {
        Directory.CreateDirectory(OrinHwmon);
        File.WriteAllText(System.IO.Path.Join(OrinHwmon, $"in{channel}_label"), label + "\n");
        SetRail(channel, millivolts, milliamps);
    }

    private void Zone(int number, string type, string milliCelsius)
    {
        var zone = $"sys/devices/virtual/thermal/thermal_zone{number}";
        Write($"{zone}/type", type + "\n");
        Write($"{zone}/temp", milliCelsius + "\n");
        Link($"sys/class/thermal/thermal_zone{number}", zone);
    }

    private void Link(string relative, string targetRelative)
    {
        var link = At(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(link)!);
        Directory.CreateDirectory(At(targetRelative));
        Directory.CreateSymbolicLink(link, At(targetRelative));
    }
}
