using Edge.Tools.Benchmarking;

namespace Edge.Tools.Tests.Benchmarking;

public sealed class PowerRailsTests
{
    [Fact]
    public void Discover_OrinHwmon_FindsLabelledRailsInChannelOrder()
    {
        using var root = FakeRoot.Orin();
        using var rails = PowerRails.Discover(root.Path);

        Assert.Equal(["VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"], rails.Names);
    }

    [Fact]
    public void ReadWatts_Hwmon_MultipliesMillivoltsByMilliamps()
    {
        using var root = FakeRoot.Orin();
        using var rails = PowerRails.Discover(root.Path);
        var watts = new double[rails.Count];

        rails.ReadWatts(watts);

        Assert.Equal([10.0, 2.0, 3.0], watts);
    }

    [Fact]
    public void ReadWatts_RewrittenFiles_ReadsTheNewValuesFromTheStart()
    {
        using var root = FakeRoot.Orin();
        using var rails = PowerRails.Discover(root.Path);
        var watts = new double[rails.Count];
        rails.ReadWatts(watts);

        root.SetRail(1, 900, 50); // shorter text than before: a stale tail would misread it

        rails.ReadWatts(watts);
        Assert.Equal(0.045, watts[0], 12);
    }

    [Fact]
    public void ReadWatts_UnreadableValue_GivesNaNForThatRailOnly()
    {
        using var root = FakeRoot.Orin();
        using var rails = PowerRails.Discover(root.Path);
        var watts = new double[rails.Count];

        File.WriteAllText(Path.Join(root.OrinHwmon, "curr2_input"), "");
        rails.ReadWatts(watts);

        Assert.Equal(10.0, watts[0]);
        Assert.True(double.IsNaN(watts[1]));
        Assert.Equal(3.0, watts[2]);
    }

    [Fact]
    public void Discover_JetPack4Iio_ReadsPowerFilesOrVoltageTimesCurrent()
    {
        using var root = FakeRoot.JetPack4Nano();
        using var rails = PowerRails.Discover(root.Path);
        var watts = new double[rails.Count];

        rails.ReadWatts(watts);

        Assert.Equal(["POM_5V_IN", "POM_5V_GPU", "POM_5V_CPU"], rails.Names);
        Assert.Equal([4.52, 0.12, 1.5], watts);
    }

    [Fact]
    public void Discover_NotConnectedChannel_IsNotARail()
    {
        using var root = FakeRoot.Orin();
        File.WriteAllText(Path.Join(root.OrinHwmon, "in2_label"), "NC\n");
        using var rails = PowerRails.Discover(root.Path);

        Assert.Equal(["VDD_IN", "VDD_SOC"], rails.Names);
    }

    [Fact]
    public void Discover_EmptyTree_FindsNoRails()
    {
        using var root = FakeRoot.Empty();
        using var rails = PowerRails.Discover(root.Path);

        Assert.Equal(0, rails.Count);
        rails.ReadWatts([]);
    }

    [Fact]
    public void ReadWatts_SpanShorterThanRails_Throws()
    {
        using var root = FakeRoot.Orin();
        using var rails = PowerRails.Discover(root.Path);

        Assert.Throws<ArgumentOutOfRangeException>(() => rails.ReadWatts(new double[2]));
    }
}
