namespace Edge.Cli.Configuration;

/// <summary>
/// Declares a property of <see cref="RunSettings"/> as a setting of <c>edge run</c>. Its JSON key is the property's
/// snake_case name; unless it is <see cref="FileOnly"/>, the same key is also the environment variable
/// (<c>budget_ms</c> -> <c>EDGE_BUDGET_MS</c>) and the flag (<c>--budget-ms</c>). See <see cref="SettingKey"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SettingAttribute(string description) : Attribute
{
    /// <summary>What the setting does, shown by <c>edge run --help</c>.</summary>
    public string Description => description;

    /// <summary>A section set in the JSON file only (degrade, tensorrt, gpio, ...): no flag, no environment variable.</summary>
    public bool FileOnly { get; init; }
}
