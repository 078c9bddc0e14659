using Edge.Outputs.Gpio;

namespace Edge.Outputs.Tests.Gpio;

public sealed class JetsonHeaderPinsTests
{
    [Theory]
    [InlineData(JetsonDevKit.AgxOrin, 7, "tegra234-gpio", 106, "PQ.06")]
    [InlineData(JetsonDevKit.AgxOrin, 16, "tegra234-gpio-aon", 9, "PBB.01")]
    [InlineData(JetsonDevKit.AgxOrin, 31, "tegra234-gpio-aon", 0, "PAA.00")]
    [InlineData(JetsonDevKit.AgxOrin, 40, "tegra234-gpio", 51, "PI.00")]
    [InlineData(JetsonDevKit.OrinNano, 7, "tegra234-gpio", 144, "PAC.06")]
    [InlineData(JetsonDevKit.OrinNano, 13, "tegra234-gpio", 122, "PY.00")]
    [InlineData(JetsonDevKit.OrinNano, 33, "tegra234-gpio", 43, "PH.00")]
    public void TryGet_KnownPin_GivesChipOffsetAndName(JetsonDevKit kit, int pin, string chip, int offset, string socPin)
    {
        Assert.True(JetsonHeaderPins.TryGet(kit, pin, out var line));

        Assert.Equal((chip, offset, socPin), (line.ChipLabel, line.Offset, line.SocPin));
    }

    [Theory]
    [InlineData(JetsonDevKit.AgxOrin)]
    [InlineData(JetsonDevKit.OrinNano)]
    public void Pins_EachKit_ListsTheTwentyTwoGpioPinsOnDistinctLines(JetsonDevKit kit)
    {
        var pins = JetsonHeaderPins.Pins(kit);
        var lines = pins.Select(p => JetsonHeaderPins.TryGet(kit, p, out var line) ? (line.ChipLabel, line.Offset) : default).ToList();

        Assert.Equal([7, 11, 12, 13, 15, 16, 18, 19, 21, 22, 23, 24, 26, 29, 31, 32, 33, 35, 36, 37, 38, 40], pins);
        Assert.Equal(lines.Count, lines.Distinct().Count());
        Assert.All(lines, l => Assert.InRange(l.Offset, 0, l.ChipLabel == "tegra234-gpio" ? 163 : 31));
    }

    [Theory]
    [InlineData(1)] // 3.3 V
    [InlineData(3)] // I2C SDA
    [InlineData(6)] // ground
    [InlineData(41)]
    public void TryGet_PowerI2cOrMissingPin_IsNotAGpio(int pin) => Assert.False(JetsonHeaderPins.TryGet(JetsonDevKit.OrinNano, pin, out _));

    [Theory]
    [InlineData("nvidia,p3737-0000+p3701-0005", JetsonDevKit.AgxOrin)]
    [InlineData("nvidia,p3768-0000+p3767-0005", JetsonDevKit.OrinNano)]
    [InlineData("nvidia,p3509-0000+p3767-0000", JetsonDevKit.OrinNano)]
    public void Detect_DevKitCompatible_NamesTheKit(string compatible, JetsonDevKit kit) =>
        Assert.Equal(kit, JetsonHeaderPins.Detect([compatible, "nvidia,tegra234", ""]));

    [Fact]
    public void Detect_OtherBoard_IsNull() => Assert.Null(JetsonHeaderPins.Detect(["nvidia,p2972-0000", "nvidia,tegra194", ""]));

    [Theory]
    [InlineData("agx-orin", JetsonDevKit.AgxOrin)]
    [InlineData("orin-nano", JetsonDevKit.OrinNano)]
    public void Parse_ConfigName_RoundTrips(string name, JetsonDevKit kit)
    {
        Assert.Equal(kit, JetsonHeaderPins.Parse(name));
        Assert.Equal(name, JetsonHeaderPins.Name(kit));
    }

    [Fact]
    public void Parse_UnknownName_IsNull() => Assert.Null(JetsonHeaderPins.Parse("xavier"));
}
