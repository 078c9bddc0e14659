using System.CommandLine;
using System.Globalization;
using Edge.Cli.Commands;

namespace Edge.Cli.Configuration;

/// <summary>
/// <c>edge run</c>'s <c>--source</c> and <c>--stream</c>, repeatable: one <c>--source</c> is the single stream it always
/// was; several make a streams list (cam0, cam1, ... in order, or named by as many <c>--stream</c> flags) that replaces
/// the config file's. Other verbs keep their single <c>--source</c>.
/// </summary>
internal sealed class SourceFlags
{
    private const string SourceKey = "source";

    private const string StreamKey = "stream";

    private readonly Option<string[]> sources;

    private readonly Option<string[]> streams;

    public SourceFlags()
    {
        sources = Repeatable(SourceKey);
        streams = Repeatable(StreamKey);
    }

    public IEnumerable<Option> Options => [sources, streams];

    /// <summary>The flag of <paramref name="key"/>, when this set makes it.</summary>
    public Option? OptionOf(SettingKey key) => key.Name switch
    {
        SourceKey => sources,
        StreamKey => streams,
        _ => null,
    };

    /// <summary>The settings whose flags this makes (the others are <see cref="SettingFlags"/>').</summary>
    public static bool Makes(SettingKey key) => key.Name is SourceKey or StreamKey;

    /// <summary>Sets <paramref name="layer"/>'s source and stream, or its streams list, from the flags given.</summary>
    /// <exception cref="UserError">Several sources and a different number of stream ids.</exception>
    public void Read(ParseResult parse, RunSettings layer)
    {
        var givenSources = parse.GetValue(sources) ?? [];
        var givenStreams = parse.GetValue(streams) ?? [];
        if (givenSources.Length <= 1 && givenStreams.Length <= 1)
        {
            layer.Source = givenSources.SingleOrDefault();
            layer.Stream = givenStreams.SingleOrDefault();
            return;
        }

        if (givenStreams.Length > 0 && givenStreams.Length != givenSources.Length)
        {
            throw new UserError(ExitCode.InvalidArguments, $"--stream given {givenStreams.Length} times for {givenSources.Length} --source flags: expected one --stream per --source, in the same order, or none (streams cam0, cam1, ...)");
        }

        layer.Streams = [.. givenSources.Select((source, index) => new StreamSettings
        {
            Id = givenStreams.Length > 0 ? givenStreams[index] : "cam" + index.ToString(CultureInfo.InvariantCulture),
            Source = source,
        })];
    }

    private static Option<string[]> Repeatable(string name)
    {
        var key = SettingKey.Layered.Single(key => key.Name == name);
        return new Option<string[]>(key.Flag!) { Description = key.Description + "; repeatable", AllowMultipleArgumentsPerToken = false };
    }
}
