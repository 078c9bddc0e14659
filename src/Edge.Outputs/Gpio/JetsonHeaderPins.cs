using System.Collections.Frozen;

namespace Edge.Outputs.Gpio;

/// <summary>The developer kits whose 40-pin header <see cref="JetsonHeaderPins"/> knows.</summary>
public enum JetsonDevKit
{
    /// <summary>Jetson AGX Orin Developer Kit (P3737 carrier, P3701 module).</summary>
    AgxOrin,

    /// <summary>Jetson Orin Nano Developer Kit (P3768 carrier; also Orin NX modules on it and on the P3509 carrier).</summary>
    OrinNano,
}

/// <summary>A header pin's GPIO line: the gpiochip label, the line offset within that chip, and the pin's names.</summary>
internal readonly record struct HeaderPinLine(string ChipLabel, int Offset, string SocPin, string Signal);

/// <summary>
/// 40-pin header pin number to GPIO line, for the pins that can be GPIOs, on Jetson Linux r35/r36 (JetPack 5/6).
/// </summary>
/// <remarks>
/// Source: NVIDIA's Jetson.GPIO library, lib/python/Jetson/GPIO/gpio_pin_data.py (github.com/NVIDIA/jetson-gpio),
/// tables JETSON_ORIN_PIN_DEFS (AGX Orin) and JETSON_ORIN_NX_PIN_DEFS (used there for both Orin NX and Orin Nano),
/// whose first column is the line offset inside the chip. Every main-controller offset was cross-checked against
/// tegra234_main_ports in the kernel's drivers/gpio/gpio-tegra186.c: offsets count pins port by port (A:8, B:1, C:8,
/// D:4, E:8, F:6, G:8, H:8, I:7, J:6, K:8, L:4, M:8, N:8, P:8, Q:8, R:6, X:8, Y:8, Z:8, AC:8, ... = 164 lines), so
/// PH.00 is 43, PQ.06 is 106, PY.00 is 122 and PAC.06 is 144. The always-on controller (tegra234-gpio-aon) starts
/// with port AA (8 pins) then BB, so PAA.n is n and PBB.n is 8 + n. A pin is usable as a GPIO only where the pinmux
/// selects GPIO for it (Jetson-IO or a device-tree overlay; see docs/gpio.md); Xavier kits are not covered.
/// </remarks>
internal static class JetsonHeaderPins
{
    private const string Main = "tegra234-gpio";
    private const string AlwaysOn = "tegra234-gpio-aon";

    private static readonly FrozenDictionary<int, HeaderPinLine> AgxOrin = new Dictionary<int, HeaderPinLine>
    {
        [7] = new(Main, 106, "PQ.06", "MCLK05"),
        [11] = new(Main, 112, "PR.04", "UART1_RTS"),
        [12] = new(Main, 50, "PH.07", "I2S2_CLK"),
        [13] = new(Main, 108, "PR.00", "PWM01"),
        [15] = new(Main, 85, "PN.01", "GPIO27"),
        [16] = new(AlwaysOn, 9, "PBB.01", "GPIO08"),
        [18] = new(Main, 43, "PH.00", "GPIO35"),
        [19] = new(Main, 135, "PZ.05", "SPI1_MOSI"),
        [21] = new(Main, 134, "PZ.04", "SPI1_MISO"),
        [22] = new(Main, 96, "PP.04", "GPIO17"),
        [23] = new(Main, 133, "PZ.03", "SPI1_CLK"),
        [24] = new(Main, 136, "PZ.06", "SPI1_CS0_N"),
        [26] = new(Main, 137, "PZ.07", "SPI1_CS1_N"),
        [29] = new(AlwaysOn, 1, "PAA.01", "CAN0_DIN"),
        [31] = new(AlwaysOn, 0, "PAA.00", "CAN0_DOUT"),
        [32] = new(AlwaysOn, 8, "PBB.00", "GPIO09"),
        [33] = new(AlwaysOn, 2, "PAA.02", "CAN1_DOUT"),
        [35] = new(Main, 53, "PI.02", "I2S2_FS"),
        [36] = new(Main, 113, "PR.05", "UART1_CTS"),
        [37] = new(AlwaysOn, 3, "PAA.03", "CAN1_DIN"),
        [38] = new(Main, 52, "PI.01", "I2S2_DIN"),
        [40] = new(Main, 51, "PI.00", "I2S2_DOUT"),
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<int, HeaderPinLine> OrinNano = new Dictionary<int, HeaderPinLine>
    {
        [7] = new(Main, 144, "PAC.06", "GPIO09"),
        [11] = new(Main, 112, "PR.04", "UART1_RTS"),
        [12] = new(Main, 50, "PH.07", "I2S0_SCLK"),
        [13] = new(Main, 122, "PY.00", "SPI1_SCK"),
        [15] = new(Main, 85, "PN.01", "GPIO12"),
        [16] = new(Main, 126, "PY.04", "SPI1_CS1"),
        [18] = new(Main, 125, "PY.03", "SPI1_CS0"),
        [19] = new(Main, 135, "PZ.05", "SPI0_MOSI"),
        [21] = new(Main, 134, "PZ.04", "SPI0_MISO"),
        [22] = new(Main, 123, "PY.01", "SPI1_MISO"),
        [23] = new(Main, 133, "PZ.03", "SPI0_SCK"),
        [24] = new(Main, 136, "PZ.06", "SPI0_CS0"),
        [26] = new(Main, 137, "PZ.07", "SPI0_CS1"),
        [29] = new(Main, 105, "PQ.05", "GPIO01"),
        [31] = new(Main, 106, "PQ.06", "GPIO11"),
        [32] = new(Main, 41, "PG.06", "GPIO07"),
        [33] = new(Main, 43, "PH.00", "GPIO13"),
        [35] = new(Main, 53, "PI.02", "I2S0_FS"),
        [36] = new(Main, 113, "PR.05", "UART1_CTS"),
        [37] = new(Main, 124, "PY.02", "SPI1_MOSI"),
        [38] = new(Main, 52, "PI.01", "I2S0_SDIN"),
        [40] = new(Main, 51, "PI.00", "I2S0_SDOUT"),
    }.ToFrozenDictionary();

    /// <summary>The header's GPIO-capable pins on a developer kit, in pin order.</summary>
    public static IReadOnlyList<int> Pins(JetsonDevKit kit) => [.. Table(kit).Keys.Order()];

    public static bool TryGet(JetsonDevKit kit, int headerPin, out HeaderPinLine line) => Table(kit).TryGetValue(headerPin, out line);

    /// <summary>The config spelling: <c>agx-orin</c> or <c>orin-nano</c>.</summary>
    public static string Name(JetsonDevKit kit) => kit == JetsonDevKit.AgxOrin ? "agx-orin" : "orin-nano";

    public static JetsonDevKit? Parse(string name) => name switch
    {
        "agx-orin" => JetsonDevKit.AgxOrin,
        "orin-nano" => JetsonDevKit.OrinNano,
        _ => null,
    };

    /// <summary>
    /// The developer kit from the device tree's compatible strings (/proc/device-tree/compatible, NUL-separated),
    /// matched the way Jetson.GPIO does: P3737 is the AGX Orin carrier, P3768 and P3509 carry Orin Nano/NX (P3767) modules.
    /// </summary>
    public static JetsonDevKit? Detect(IEnumerable<string> compatibles)
    {
        foreach (var compatible in compatibles)
        {
            if (compatible.StartsWith("nvidia,p3737-0000+p3701-", StringComparison.Ordinal))
            {
                return JetsonDevKit.AgxOrin;
            }

            if (compatible.StartsWith("nvidia,p3768-0000+p3767-", StringComparison.Ordinal) || compatible.StartsWith("nvidia,p3509-0000+p3767-", StringComparison.Ordinal))
            {
                return JetsonDevKit.OrinNano;
            }
        }

        return null;
    }

    private static FrozenDictionary<int, HeaderPinLine> Table(JetsonDevKit kit) => kit == JetsonDevKit.AgxOrin ? AgxOrin : OrinNano;
}
