using System.Device.Gpio;

namespace Edge.Outputs.Gpio;

/// <summary>A configured line pinned down to a chip and offset; <see cref="Role"/> names its use in messages.</summary>
internal readonly record struct ResolvedLine(int ChipId, string ChipLabel, int Offset, string Role)
{
    public override string ToString() => $"{ChipLabel}:{Offset}";
}

/// <summary>Turns <see cref="GpioLineSpec"/>s into chip and offset, checking them against the chips present.</summary>
internal sealed class GpioLineResolver(IReadOnlyList<GpioChipInfo> chips, JetsonDevKit? devKit)
{
    public ResolvedLine Resolve(GpioLineSpec spec, string role)
    {
        var byChip = spec.Chip is not null || spec.Line is not null;
        if (byChip && spec.HeaderPin is not null)
        {
            throw new GpioConfigurationException($"gpio {role}: both chip/line and header_pin given: expected one of them");
        }

        if (spec.HeaderPin is { } pin)
        {
            return ResolveHeaderPin(pin, role);
        }

        if (spec.Chip is null || spec.Line is null)
        {
            throw new GpioConfigurationException($"gpio {role}: no line given: expected {{ \"chip\": ..., \"line\": ... }} or {{ \"header_pin\": ... }}");
        }

        return ResolveChipLine(spec.Chip, spec.Line.Value, role);
    }

    private ResolvedLine ResolveHeaderPin(int pin, string role)
    {
        if (devKit is not { } kit)
        {
            throw new GpioConfigurationException($"gpio {role}: header_pin {pin} needs a known developer kit: expected dev_kit agx-orin or orin-nano, or chip and line");
        }

        if (!JetsonHeaderPins.TryGet(kit, pin, out var line))
        {
            throw new GpioConfigurationException($"gpio {role}: header pin {pin} is not a GPIO on the {JetsonHeaderPins.Name(kit)} header: expected one of {string.Join(", ", JetsonHeaderPins.Pins(kit))}");
        }

        return ResolveChipLine(line.ChipLabel, line.Offset, $"{role} (header pin {pin})");
    }

    private ResolvedLine ResolveChipLine(string chipName, int offset, string role)
    {
        var chip = chips.FirstOrDefault(c => c.Label == chipName) ?? chips.FirstOrDefault(c => c.Name == chipName)
            ?? throw new GpioConfigurationException($"gpio {role}: no gpio chip '{chipName}': expected one of {KnownChips()}");
        if (offset < 0 || offset >= chip.NumLines)
        {
            throw new GpioConfigurationException($"gpio {role}: line {offset} is out of range for chip '{chipName}': expected 0 to {chip.NumLines - 1}");
        }

        return new ResolvedLine(chip.Id, chip.Label, offset, role);
    }

    private string KnownChips() =>
        chips.Count == 0 ? "(no gpio chips found)" : string.Join(", ", chips.Select(c => $"{c.Label} ({c.Name}, {c.NumLines} lines)"));
}
