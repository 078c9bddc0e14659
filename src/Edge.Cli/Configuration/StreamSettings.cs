using Edge.Runtime.Budget;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;

namespace Edge.Cli.Configuration;

/// <summary>
/// One entry of the config file's <c>streams</c> list (docs/streams.md): the core's <see cref="StreamOptions"/> plus
/// where this stream's label-set lines go, which is the app's business, not the core's.
/// </summary>
public sealed class StreamSettings
{
    public string? Id { get; set; }

    public string? Source { get; set; }

    public double? BudgetMs { get; set; }

    public string? MissPolicy { get; set; }

    public IReadOnlyDictionary<string, ThresholdOverride>? Thresholds { get; set; }

    public IReadOnlyList<string>? Heads { get; set; }

    public bool? Required { get; set; }

    /// <summary>This stream's label-set lines: - for stdout or a file (appended); the run's <c>output</c> when null.</summary>
    public string? Output { get; set; }

    /// <summary>The core's options for the stream at <paramref name="index"/>; ranges are the core's to check.</summary>
    /// <exception cref="SettingException">A field is missing or not one of its names.</exception>
    public StreamOptions ToOptions(int index)
    {
        var key = $"streams[{index}]";
        MissPolicy? policy = null;
        if (MissPolicy is { } policyText)
        {
            policy = MissPolicyNames.TryParse(policyText, out var parsed) ? parsed : throw new SettingException($"{key}.miss_policy", policyText, MissPolicyNames.Expected);
        }

        if (Output is { } output && string.IsNullOrWhiteSpace(output))
        {
            throw new SettingException($"{key}.output", "empty", "- (stdout) or a file; leave output out for the run's output");
        }

        return new StreamOptions
        {
            Id = Id ?? throw new SettingException($"{key}.id", "missing", StreamId.Expected),
            Source = Source ?? throw new SettingException($"{key}.source", "missing", "a frame source, as the source setting takes it"),
            BudgetMs = BudgetMs,
            MissPolicy = policy,
            Thresholds = Thresholds,
            Heads = Heads,
            Required = Required ?? true,
        };
    }
}
