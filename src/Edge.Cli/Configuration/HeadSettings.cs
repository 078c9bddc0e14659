using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;

namespace Edge.Cli.Configuration;

/// <summary>One entry of the config file's <c>heads</c> list: a further model run on the same frames (docs/streams.md).</summary>
public sealed class HeadSettings
{
    public string? Name { get; set; }

    public string? Model { get; set; }

    public double? BudgetMs { get; set; }

    public IReadOnlyDictionary<string, ThresholdOverride>? Thresholds { get; set; }

    /// <exception cref="SettingException">A field is missing.</exception>
    public HeadOptions ToOptions(int index) => new()
    {
        Name = Name ?? throw new SettingException($"heads[{index}].name", "missing", $"a head name: {StreamId.Expected}"),
        Model = Model ?? throw new SettingException($"heads[{index}].model", "missing", "a model bundle folder"),
        BudgetMs = BudgetMs,
        Thresholds = Thresholds,
    };
}
