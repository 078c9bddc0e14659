using System.Device.I2c;
using Iot.Device.Ssd13xx;
using Iot.Device.Ssd13xx.Commands;
using Iot.Device.Ssd13xx.Commands.Ssd1306Commands;

namespace Edge.Outputs.Display;

/// <summary>
/// The binding's SSD1306 driver, fed ready-made page-order frames. Its own drawing goes through
/// <c>Iot.Device.Graphics.BitmapImage</c>, which needs an image library (SkiaSharp and its native code) registered,
/// so clearing and drawing here send raw display RAM with the binding's commands and <see cref="Ssd13xx.SendData"/>.
/// </summary>
internal sealed class Ssd1306Panel : Ssd1306
{
    private const int RamPages = 8;

    public Ssd1306Panel(I2cDevice device, int height)
        : base(device, StatusScreen.Width, height)
    {
        // The binding initialises every panel as 128x32 (31 multiplexed rows, sequential COM pins); a 128x64 panel
        // needs all 64 rows multiplexed and the alternative COM pin layout, or it shows every other line.
        if (height == 64)
        {
            SendCommand(new SetMultiplexRatio(63));
            SendCommand(new SetComPinsHardwareConfiguration(alternativeComPinConfiguration: true, enableLeftRightRemap: false));
        }
    }

    /// <summary>Called by the base constructor: blanks all of the controller's RAM, whatever the panel shows of it.</summary>
    public override void ClearScreen() => Show(new byte[StatusScreen.Width * RamPages]);

    /// <summary>Writes <paramref name="frame"/> (page order, 128 bytes a page) to display RAM from the top left.</summary>
    public void Show(Span<byte> frame)
    {
        var pages = frame.Length / StatusScreen.Width;
        SendCommand(new SetColumnAddress(0, StatusScreen.Width - 1));
        SendCommand(new SetPageAddress(PageAddress.Page0, (PageAddress)(pages - 1)));

        // A page per transfer keeps each I2C message small (129 bytes) for adapters with short transfer limits.
        for (var page = 0; page < pages; page++)
        {
            SendData(frame.Slice(page * StatusScreen.Width, StatusScreen.Width));
        }
    }
}
