using Edge.Outputs.Display;
using Edge.Runtime.Options;

namespace Edge.Outputs.Tests.Display;

public sealed class StatusDisplaySettingsTests
{
    [Fact]
    public void Defaults_OrinHeaderBusAndCommonPanel()
    {
        var settings = new DisplaySettings();

        settings.Validate();
        Assert.Equal((7, 0x3C, 64, 4.0), (settings.Bus, settings.Address, settings.Height, settings.RefreshHz));
    }

    [Theory]
    [InlineData(0x3D)]
    [InlineData(0x3C)]
    public void Validate_EitherStrappedAddress_Accepted(int address) => new DisplaySettings { Address = address }.Validate();

    [Theory]
    [InlineData(0x78, "setting 'display.address' is 0x78: expected 0x3C or 0x3D, where an SSD1306 answers (0x78 is 0x3C written as an 8-bit address)")]
    [InlineData(0x50, "setting 'display.address' is 0x50: expected 0x3C or 0x3D, where an SSD1306 answers")]
    [InlineData(-1, "setting 'display.address' is -1: expected a 7-bit I2C address an SSD1306 answers at: 0x3C or 0x3D")]
    [InlineData(0x100, "setting 'display.address' is 256: expected a 7-bit I2C address an SSD1306 answers at: 0x3C or 0x3D")]
    public void Validate_InvalidAddress_Throws(int address, string message)
    {
        var error = Assert.Throws<SettingException>(() => new DisplaySettings { Address = address }.Validate());

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Validate_UnsupportedHeight_Throws()
    {
        var error = Assert.Throws<SettingException>(() => new DisplaySettings { Height = 48 }.Validate());

        Assert.Equal("setting 'display.height' is 48: expected 64 or 32 (128x64 or 128x32 panels)", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    [InlineData(21)]
    [InlineData(double.NaN)]
    public void Validate_RefreshOutOfRange_Throws(double hz)
    {
        var error = Assert.Throws<SettingException>(() => new DisplaySettings { RefreshHz = hz }.Validate());

        Assert.StartsWith("setting 'display.refresh_hz' is ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(": expected more than 0 and at most 20 Hz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeBus_Throws()
    {
        var error = Assert.Throws<SettingException>(() => new DisplaySettings { Bus = -1 }.Validate());

        Assert.Equal("setting 'display.bus' is -1: expected a Linux I2C bus number (/dev/i2c-N), such as 7", error.Message);
    }

    [Fact]
    public void Open_BusThatDoesNotExist_ThrowsOneLine()
    {
        var error = Assert.Throws<DisplayConfigurationException>(() => StatusDisplay.Open(new DisplaySettings { Bus = 250 }, StatusDisplayTestFrames.Names));

        Assert.StartsWith("I2C bus 250 cannot be opened (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("): list the buses with i2cdetect -l, and run as a member of the i2c group", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Open_InvalidAddress_RefusedBeforeTheBusIsOpened()
    {
        var error = Assert.Throws<SettingException>(() => StatusDisplay.Open(new DisplaySettings { Bus = 250, Address = 0x78 }, StatusDisplayTestFrames.Names));

        Assert.StartsWith("setting 'display.address' is 0x78", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_PanelDoesNotAnswer_ThrowsOneLineAndReleasesTheDevice()
    {
        var device = new SimulatedSsd1306(busId: 1, address: 0x3D) { Unplugged = true };

        var error = Assert.Throws<DisplayConfigurationException>(() => new StatusDisplay(device, new DisplaySettings(), StatusDisplayTestFrames.Names));

        Assert.Equal(
            "no SSD1306 answered at 0x3D on I2C bus 1 (Error 121 performing I2C data transfer.): check wiring, power and the address with i2cdetect -y -r 1",
            error.Message);
        Assert.True(device.Disposed);
    }

    [Fact]
    public void Constructor_InvalidSettings_ReleasesTheDevice()
    {
        var device = new SimulatedSsd1306();

        Assert.Throws<SettingException>(() => new StatusDisplay(device, new DisplaySettings { Height = 16 }, StatusDisplayTestFrames.Names));

        Assert.True(device.Disposed);
    }
}
