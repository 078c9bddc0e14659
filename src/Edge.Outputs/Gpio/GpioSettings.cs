namespace Edge.Outputs.Gpio;

/// <summary>
/// GPIO outputs driven by the label set, plus an optional trigger input (the <c>gpio</c> section of the config).
/// Properties are settable, not init-only: the JSON source generator resets init-only properties a document omits.
/// </summary>
public sealed class GpioSettings
{
    public List<GpioRule> Rules { get; set; } = [];

    /// <summary>Blinks while frames are being processed; stops (inactive) when they stop.</summary>
    public GpioLineSpec? Heartbeat { get; set; }

    /// <summary>Full on/off cycles per second of the heartbeat line.</summary>
    public double HeartbeatHz { get; set; } = 1;

    /// <summary>Active for <see cref="AlertHoldMs"/> after each frame that missed its deadline.</summary>
    public GpioLineSpec? DeadlineAlert { get; set; }

    public double AlertHoldMs { get; set; } = 500;

    /// <summary>Input line; when set, frames are processed only while it is asserted.</summary>
    public GpioLineSpec? Trigger { get; set; }

    public bool TriggerActiveLow { get; set; }

    /// <summary>
    /// Developer kit whose 40-pin header <c>header_pin</c> refers to: <c>agx-orin</c> or <c>orin-nano</c>. Detected
    /// from the device tree when left out.
    /// </summary>
    public string? DevKit { get; set; }
}

/// <summary>One label of one stream's label sets (and one head's, with several) driving one output line.</summary>
public sealed class GpioRule
{
    public string Label { get; set; } = "";

    /// <summary>The stream whose label sets drive the line; may be left out only when one stream is configured.</summary>
    public string? Stream { get; set; }

    /// <summary>The inference head (model name) whose label sets drive the line; the first head (the configured model) when left out.</summary>
    public string? Model { get; set; }

    public GpioLineSpec Line { get; set; } = new();

    /// <summary>Drive the line low while the label is active (for sinking loads and active-low relay boards).</summary>
    public bool ActiveLow { get; set; }

    /// <summary>Once on, the line stays on at least this long even if the label turns off sooner.</summary>
    public double MinOnMs { get; set; }

    /// <summary>After turning off, the line cannot turn on again for this long.</summary>
    public double HoldOffMs { get; set; }
}

/// <summary>
/// A GPIO line: either <c>{ "chip": "tegra234-gpio", "line": 43 }</c> (chip by label or by name such as
/// <c>gpiochip0</c>) or <c>{ "header_pin": 7 }</c> (a pin of a Jetson developer kit's 40-pin header, see
/// <see cref="JetsonHeaderPins"/>).
/// </summary>
public sealed class GpioLineSpec
{
    public string? Chip { get; set; }

    public int? Line { get; set; }

    public int? HeaderPin { get; set; }
}
