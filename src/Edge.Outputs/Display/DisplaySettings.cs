using System.Globalization;

namespace Edge.Outputs.Display;

/// <summary>Where the SSD1306 status display is and how often it is redrawn.</summary>
public sealed record DisplaySettings
{
    public const int DefaultAddress = 0x3C;

    /// <summary>The other address an SSD1306 module can be strapped to (its SA0 pin pulled high).</summary>
    public const int AlternateAddress = 0x3D;

    public const int MaxRefreshHz = 20;

    /// <summary>Linux I2C bus number (<c>/dev/i2c-N</c>); 7 is pins 3 and 5 of the Orin developer kits' 40-pin header.</summary>
    public int Bus { get; set; } = 7;

    /// <summary>7-bit I2C address.</summary>
    public int Address { get; set; } = DefaultAddress;

    /// <summary>Panel rows: 64 or 32 (the width is always 128).</summary>
    public int Height { get; set; } = 64;

    /// <summary>Most redraws per second; each full 128x64 frame is about 25 ms of a 400 kHz bus.</summary>
    public double RefreshHz { get; set; } = 4;

    /// <summary>Throws <see cref="DisplayConfigurationException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (Bus < 0)
        {
            throw new DisplayConfigurationException($"display bus {Bus} is invalid: expected a Linux I2C bus number (/dev/i2c-N), such as 7");
        }

        if (Address is < 0 or > 0x7F)
        {
            throw new DisplayConfigurationException(
                $"display address {Address} is not a 7-bit I2C address: an SSD1306 answers at {Hex(DefaultAddress)} or {Hex(AlternateAddress)}");
        }

        if (Address is not (DefaultAddress or AlternateAddress))
        {
            var eightBitHint = Address is DefaultAddress << 1 or AlternateAddress << 1
                ? $" ({Hex(Address)} is {Hex(Address >> 1)} written as an 8-bit address)"
                : string.Empty;
            throw new DisplayConfigurationException(
                $"display address {Hex(Address)} is invalid: an SSD1306 answers at {Hex(DefaultAddress)} or {Hex(AlternateAddress)}{eightBitHint}");
        }

        if (Height is not (64 or 32))
        {
            throw new DisplayConfigurationException($"display height {Height} is not supported: expected 64 or 32 (128x64 or 128x32 panels)");
        }

        if (!(RefreshHz > 0 && RefreshHz <= MaxRefreshHz))
        {
            throw new DisplayConfigurationException(
                $"display refresh {RefreshHz.ToString(CultureInfo.InvariantCulture)} Hz is invalid: expected more than 0 and at most {MaxRefreshHz}");
        }
    }

    internal static string Hex(int value) => "0x" + value.ToString("X2", CultureInfo.InvariantCulture);
}
