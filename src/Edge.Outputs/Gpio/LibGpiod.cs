using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Runtime.InteropServices;

namespace Edge.Outputs.Gpio;

/// <summary>The installed libgpiod: its chips and a driver for one of them.</summary>
public sealed record GpioChipSet(IReadOnlyList<GpioChipInfo> Chips, Func<int, GpioDriver> OpenChip, string Description);

/// <summary>
/// Finds libgpiod. System.Device.Gpio binds libgpiod.so.3 for the v2 API and libgpiod.so.2 for v1; JetPack 5/6
/// (Ubuntu 20.04/22.04) ship v1, newer distributions v2. v2 is preferred when both are installed.
/// </summary>
internal static class LibGpiod
{
    private const string V2Library = "libgpiod.so.3";
    private const string V1Library = "libgpiod.so.2";

    public static GpioChipSet Open()
    {
        if (IsInstalled(V2Library))
        {
            return new GpioChipSet(LibGpiodV2Driver.GetAvailableChips().ToArray(), id => new LibGpiodV2Driver(id), $"libgpiod v2 ({V2Library})");
        }

        if (IsInstalled(V1Library))
        {
            return new GpioChipSet(LibGpiodDriver.GetAvailableChips().ToArray(), id => new LibGpiodDriver(id), $"libgpiod v1 ({V1Library})");
        }

        throw new GpioConfigurationException($"gpio: libgpiod is not installed: expected {V1Library} (libgpiod v1, apt install libgpiod2) or {V2Library} (libgpiod v2)");
    }

    private static bool IsInstalled(string library)
    {
        if (!NativeLibrary.TryLoad(library, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}
