using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Outputs.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Outputs.Tests.Gpio;

public sealed class GpioConfigurationTests
{
    private readonly GpioBench bench = new(new FakeTimeProvider());

    [Fact]
    public void Deserialize_SnakeCaseJson_FillsSettingsAndKeepsDefaults()
    {
        const string json = """
            {
              "rules": [
                { "label": "person", "line": { "header_pin": 7 }, "active_low": true, "min_on_ms": 250, "hold_off_ms": 1000 },
                { "label": "car", "line": { "chip": "tegra234-gpio", "line": 43 } }
              ],
              "heartbeat": { "chip": "gpiochip1", "line": 8 },
              "trigger": { "header_pin": 29 },
              "trigger_active_low": true,
              "dev_kit": "orin-nano"
            }
            """;

        var settings = JsonSerializer.Deserialize(json, GpioJsonContext.Default.GpioSettings)!;

        Assert.Equal(2, settings.Rules.Count);
        Assert.Equal(("person", 7, true, 250.0, 1000.0), (settings.Rules[0].Label, settings.Rules[0].Line.HeaderPin, settings.Rules[0].ActiveLow, settings.Rules[0].MinOnMs, settings.Rules[0].HoldOffMs));
        Assert.Equal(("tegra234-gpio", 43), (settings.Rules[1].Line.Chip, settings.Rules[1].Line.Line));
        Assert.Equal(("gpiochip1", 8), (settings.Heartbeat!.Chip, settings.Heartbeat.Line));
        Assert.Equal((1.0, 500.0, true, "orin-nano"), (settings.HeartbeatHz, settings.AlertHoldMs, settings.TriggerActiveLow, settings.DevKit));
        Assert.Null(settings.DeadlineAlert);
    }

    [Fact]
    public void Constructor_ChipByName_ResolvesLikeByLabel()
    {
        using var outputs = bench.Open(new GpioSettings { Heartbeat = new GpioLineSpec { Chip = "gpiochip1", Line = 8 } });

        Assert.Equal([8], bench.AlwaysOn.OpenLines);
    }

    [Fact]
    public void Constructor_UnknownChip_NamesTheChipsPresent() =>
        AssertRejected(Rule(new GpioLineSpec { Chip = "tegra194-gpio", Line = 3 }), "no gpio chip 'tegra194-gpio'", "expected one of tegra234-gpio (gpiochip0, 164 lines), tegra234-gpio-aon (gpiochip1, 32 lines)");

    [Theory]
    [InlineData(164)]
    [InlineData(-1)]
    public void Constructor_OffsetOutOfRange_NamesTheRange(int offset) =>
        AssertRejected(Rule(GpioBench.Line(offset)), $"line {offset} is out of range for chip 'tegra234-gpio'", "expected 0 to 163");

    [Fact]
    public void Constructor_UnknownHeaderPin_ListsTheGpioPins() =>
        AssertRejected(Rule(new GpioLineSpec { HeaderPin = 3 }), "header pin 3 is not a GPIO on the orin-nano header", "expected one of 7, 11, 12", JetsonDevKit.OrinNano);

    [Fact]
    public void Constructor_HeaderPinOnUnknownBoard_AsksForTheDevKit() =>
        AssertRejected(Rule(new GpioLineSpec { HeaderPin = 7 }), "header_pin 7 needs a known developer kit", "expected dev_kit agx-orin or orin-nano");

    [Fact]
    public void Constructor_UnknownDevKit_NamesTheKnownOnes() =>
        AssertRejected(new GpioSettings { DevKit = "xavier-nx" }, "dev_kit 'xavier-nx' is unknown", "expected agx-orin or orin-nano");

    [Fact]
    public void Constructor_LineUsedTwice_NamesBothUses() =>
        AssertRejected(
            new GpioSettings { Rules = [new GpioRule { Label = "person", Line = GpioBench.Line(144) }], Heartbeat = new GpioLineSpec { HeaderPin = 7 } },
            "gpio heartbeat (header pin 7): line tegra234-gpio:144 is already used by rule 0 ('person')",
            "expected each line once",
            JetsonDevKit.OrinNano);

    [Fact]
    public void Constructor_UnknownLabel_ListsTheModelsLabels() =>
        AssertRejected(new GpioSettings { Rules = [new GpioRule { Label = "cat", Line = GpioBench.Line(1) }] }, "the model has no label 'cat'", "expected one of person, car, dog");

    [Fact]
    public void Constructor_BothLineForms_AsksForOne() =>
        AssertRejected(Rule(new GpioLineSpec { Chip = "tegra234-gpio", Line = 1, HeaderPin = 7 }), "both chip/line and header_pin given", "expected one of them");

    [Fact]
    public void Constructor_NoLine_ShowsTheForms() =>
        AssertRejected(Rule(new GpioLineSpec { Chip = "tegra234-gpio" }), "no line given", "expected { \"chip\": ..., \"line\": ... } or { \"header_pin\": ... }");

    [Fact]
    public void Constructor_NegativeMinOnTime_IsRejected() =>
        AssertRejected(new GpioSettings { Rules = [new GpioRule { Label = "car", Line = GpioBench.Line(1), MinOnMs = -5 }] }, "rule 0 ('car'): min_on_ms is -5", "expected a number of milliseconds >= 0");

    [Fact]
    public void Constructor_ZeroHeartbeatRate_IsRejected() =>
        AssertRejected(new GpioSettings { Heartbeat = GpioBench.Line(1), HeartbeatHz = 0 }, "heartbeat: heartbeat_hz is 0", "expected a number > 0");

    [Fact]
    public void Constructor_BusyLine_RephrasesTheDriverErrorAndReleasesWhatItOpened()
    {
        bench.Main.BusyLines.Add(43);
        var settings = new GpioSettings
        {
            Rules = [new GpioRule { Label = "person", Line = GpioBench.Line(5, "tegra234-gpio-aon") }, new GpioRule { Label = "car", Line = GpioBench.Line(43) }],
        };

        var error = AssertRejected(settings, "gpio rule 1 ('car'): cannot open line tegra234-gpio:43 (Pin 43 not available. Error: 16 (Device or resource busy))", "expected a free line");

        Assert.IsType<IOException>(error.InnerException);
        Assert.True(bench.AlwaysOn.Disposed);
        Assert.Empty(bench.AlwaysOn.OpenLines);
    }

    [Fact]
    public void Constructor_ChipCannotBeOpened_PointsAtPermissions()
    {
        var chips = new GpioChipSet(bench.Chips.Chips, _ => throw new UnauthorizedAccessException("Permission denied"), "fake");

        var error = Assert.Throws<GpioConfigurationException>(() => new GpioOutputs(new GpioSettings { Heartbeat = GpioBench.Line(3) }, GpioBench.LabelNames, chips, TimeProvider.System));

        Assert.Equal("gpio heartbeat: cannot open gpio chip 'tegra234-gpio' (Permission denied): expected read-write access to /dev/gpiochip* (gpio group, see docs/gpio.md)", error.Message);
    }

    private static GpioSettings Rule(GpioLineSpec line) => new() { Rules = [new GpioRule { Label = "person", Line = line }] };

    private GpioConfigurationException AssertRejected(GpioSettings settings, string what, string expected, JetsonDevKit? kit = null)
    {
        var error = Assert.Throws<GpioConfigurationException>(() => bench.Open(settings, kit));

        Assert.Contains(what, error.Message, StringComparison.Ordinal);
        Assert.Contains(": " + expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(GpioSettings))]
internal sealed partial class GpioJsonContext : JsonSerializerContext;
