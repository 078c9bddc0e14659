using System.Globalization;
using Edge.Runtime.Options;

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

    /// <summary>Throws <see cref="SettingException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (Bus < 0)
        {
            throw new SettingException("display.bus", Bus, "a Linux I2C bus number (/dev/i2c-N), such as 7");
        }

        if (Address is < 0 or > 0x7F)
        {
            throw new SettingException("display.address", Address, $"a 7-bit I2C address an SSD1306 answers at: {Hex(DefaultAddress)} or {Hex(AlternateAddress)}");
        }

        if (Address is not (DefaultAddress or AlternateAddress))
        {
            var eightBitHint = Address is DefaultAddress << 1 or AlternateAddress << 1
                ? $" ({Hex(Address)} is {Hex(Address >> 1)} written as an 8-bit address)"
                : string.Empty;
            throw new SettingException("display.address", Hex(Address), $"{Hex(DefaultAddress)} or {Hex(AlternateAddress)}, where an SSD1306 answers{eightBitHint}");
        }

        if (Height is not (64 or 32))
        {
            throw new SettingException("display.height", Height, "64 or 32 (128x64 or 128x32 panels)");
        }

        if (!(RefreshHz > 0 && RefreshHz <= MaxRefreshHz))
        {
            throw new SettingException("display.refresh_hz", RefreshHz, $"more than 0 and at most {MaxRefreshHz} Hz");
        }
    }

    internal static string Hex(int value) => "0x" + value.ToString("X2", CultureInfo.InvariantCulture);
}
