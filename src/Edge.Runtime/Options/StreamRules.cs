using System.Globalization;
using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Options;

/// <summary>
/// The ranges of <see cref="PipelineOptions.Streams"/>, <see cref="PipelineOptions.Heads"/> and the batch and stream
/// limits: what can be checked before any bundle is loaded. Keys name the list position (<c>streams[2].id</c>) so a
/// config with eight cameras says which one is wrong.
/// </summary>
internal static class StreamRules
{
    public const int MaxBatchLimit = 256;

    public const int MaxStreamsLimit = 256;

    private const double MinBudgetMs = 1;

    private const double MaxBudgetMs = 60_000;

    public static void Validate(PipelineOptions options)
    {
        if (options.MaxBatch is < 0 or > MaxBatchLimit)
        {
            throw new SettingException("max_batch", options.MaxBatch, $"0 (the bundle's maximum batch) to {MaxBatchLimit}");
        }

        if (options.MaxStreams is < 1 or > MaxStreamsLimit)
        {
            throw new SettingException("max_streams", options.MaxStreams, $"1 to {MaxStreamsLimit}");
        }

        if (options.Streams.Count > options.MaxStreams)
        {
            throw new SettingException("streams", $"{options.Streams.Count} streams", $"at most max_streams ({options.MaxStreams}); raise max_streams to run more");
        }

        for (var i = 0; i < options.Streams.Count; i++)
        {
            ValidateStream(options.Streams, i);
        }

        for (var i = 0; i < options.Heads.Count; i++)
        {
            ValidateHead(options, i);
        }
    }

    /// <summary>The checks that need the configured model's head name (its bundle's name), known once it is loaded.</summary>
    public static void ValidateHeadReferences(PipelineOptions options, string modelHead)
    {
        for (var i = 0; i < options.Heads.Count; i++)
        {
            if (options.Heads[i].Name == modelHead)
            {
                throw new SettingException($"heads[{i}].name", modelHead, $"a name other than the configured model's head ({modelHead})");
            }
        }

        for (var i = 0; i < options.Streams.Count; i++)
        {
            if (options.Streams[i].Heads is not { } named)
            {
                continue;
            }

            for (var k = 0; k < named.Count; k++)
            {
                if (named[k] != modelHead && !HasHead(options.Heads, named[k]))
                {
                    throw new SettingException($"streams[{i}].heads[{k}]", named[k], $"one of the heads: {string.Join(", ", [modelHead, .. options.Heads.Select(head => head.Name)])}");
                }
            }
        }
    }

    private static void ValidateStream(IReadOnlyList<StreamOptions> streams, int i)
    {
        var stream = streams[i];
        var key = $"streams[{i}]";
        if (!StreamId.IsValid(stream.Id))
        {
            throw new SettingException($"{key}.id", Shown(stream.Id), StreamId.Expected);
        }

        for (var j = 0; j < i; j++)
        {
            if (streams[j].Id == stream.Id)
            {
                throw new SettingException($"{key}.id", stream.Id, $"an id no other stream has (streams[{j}].id is {stream.Id} too)");
            }
        }

        ValidateStreamFields(stream, key);
    }

    /// <summary>
    /// A stream added to a running pipeline, checked like an entry of <c>streams</c>; keys are its own fields
    /// (<c>id</c>, <c>budget_ms</c>, <c>thresholds.x.threshold</c>). Whether its id is taken is the caller's to check.
    /// </summary>
    public static void ValidateAddedStream(StreamOptions stream)
    {
        if (!StreamId.IsValid(stream.Id))
        {
            throw new SettingException("id", Shown(stream.Id), StreamId.Expected);
        }

        ValidateStreamFields(stream, key: null);
    }

    private static void ValidateStreamFields(StreamOptions stream, string? key)
    {
        string Key(string field) => key is null ? field : $"{key}.{field}";
        if (string.IsNullOrWhiteSpace(stream.Source))
        {
            throw new SettingException(Key("source"), Shown(stream.Source), "a frame source, as the source setting takes it");
        }

        if (stream.BudgetMs is { } budget && !(budget >= MinBudgetMs && budget <= MaxBudgetMs))
        {
            throw new SettingException(Key("budget_ms"), budget, "a number from 1 to 60000");
        }

        ValidateThresholds(Key("thresholds"), stream.Thresholds);
        if (stream.Heads is not { } heads)
        {
            return;
        }

        if (heads.Count == 0)
        {
            throw new SettingException(Key("heads"), "empty", "at least one head name (leave heads out to feed every head)");
        }

        for (var k = 0; k < heads.Count; k++)
        {
            if (!StreamId.IsValid(heads[k]))
            {
                throw new SettingException(Key($"heads[{k}]"), Shown(heads[k]), $"a head name: {StreamId.Expected}");
            }

            if (heads.Take(k).Contains(heads[k]))
            {
                throw new SettingException(Key($"heads[{k}]"), heads[k], "each head named once per stream");
            }
        }
    }

    private static void ValidateHead(PipelineOptions options, int i)
    {
        var head = options.Heads[i];
        var key = $"heads[{i}]";
        if (!StreamId.IsValid(head.Name))
        {
            throw new SettingException($"{key}.name", Shown(head.Name), StreamId.Expected);
        }

        for (var j = 0; j < i; j++)
        {
            if (options.Heads[j].Name == head.Name)
            {
                throw new SettingException($"{key}.name", head.Name, $"a name no other head has (heads[{j}].name is {head.Name} too)");
            }
        }

        if (string.IsNullOrWhiteSpace(head.Model))
        {
            throw new SettingException($"{key}.model", Shown(head.Model), "a model bundle folder");
        }

        if (head.BudgetMs is { } budget)
        {
            if (!(budget >= MinBudgetMs && budget <= MaxBudgetMs))
            {
                throw new SettingException($"{key}.budget_ms", budget, "a number from 1 to 60000");
            }

            // A head's budget is its share of the frame's budget, counted from capture: above a stream's own budget it
            // could never bind, and would only hide a typo.
            var streams = options.EffectiveStreams();
            for (var s = 0; s < streams.Count; s++)
            {
                var streamBudget = streams[s].BudgetMs ?? options.BudgetMs;
                if (Feeds(streams[s], head.Name) && budget > streamBudget)
                {
                    throw new SettingException($"{key}.budget_ms", budget, $"a number from 1 up to the budget of every stream it serves (stream {streams[s].Id}: {streamBudget.ToString(CultureInfo.InvariantCulture)} ms)");
                }
            }
        }

        ValidateThresholds($"{key}.thresholds", head.Thresholds);
    }

    /// <summary>Each threshold from 0 to 1, each off threshold from 0 up to its threshold; keys are <c>KEY.label.threshold</c>.</summary>
    internal static void ValidateThresholds(string key, IReadOnlyDictionary<string, ThresholdOverride>? thresholds)
    {
        if (thresholds is null)
        {
            return;
        }

        foreach (var (label, threshold) in thresholds)
        {
            if (!(threshold.Threshold >= 0 && threshold.Threshold <= 1))
            {
                throw new SettingException($"{key}.{label}.threshold", threshold.Threshold, "a number from 0 to 1");
            }

            if (threshold.OffThreshold is { } off && !(off >= 0 && off <= threshold.Threshold))
            {
                throw new SettingException($"{key}.{label}.off_threshold", off, $"a number from 0 up to its threshold ({threshold.Threshold.ToString(CultureInfo.InvariantCulture)})");
            }
        }
    }

    private static bool Feeds(StreamOptions stream, string head) => stream.Heads is not { } heads || heads.Contains(head);

    private static bool HasHead(IReadOnlyList<HeadOptions> heads, string name) => heads.Any(head => head.Name == name);

    private static string Shown(string? text) => string.IsNullOrEmpty(text) ? "empty" : text;
}
