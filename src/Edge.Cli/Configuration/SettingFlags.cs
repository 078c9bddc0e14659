using System.CommandLine;

namespace Edge.Cli.Configuration;

/// <summary>
/// The flags of some of <c>edge run</c>'s settings, made from their declarations: <c>edge run</c> takes all of them,
/// other verbs the few they share (<c>edge bench</c>: model, budget, miss policy, provider, threads, spin).
/// </summary>
internal sealed class SettingFlags
{
    private readonly (SettingKey Key, Option Option)[] flags;

    public SettingFlags(IEnumerable<SettingKey> keys) => flags = [.. keys.Select(key => (key, key.CreateOption()))];

    public IEnumerable<Option> Options => flags.Select(flag => flag.Option);

    /// <summary>The flag of <paramref name="key"/>, when this set makes it.</summary>
    public Option? OptionOf(SettingKey key) => flags.FirstOrDefault(flag => flag.Key == key).Option;

    /// <param name="names">Settings keys such as <c>budget_ms</c>; each must be a layered setting.</param>
    public static SettingFlags For(params string[] names) =>
        new(names.Select(name => SettingKey.Layered.SingleOrDefault(key => key.Name == name) ?? throw new ArgumentException($"'{name}' is not a setting with a flag", nameof(names))));

    /// <summary>A settings layer holding the values of the flags given on this command line (the others unset).</summary>
    public RunSettings Read(ParseResult parse)
    {
        var settings = new RunSettings();
        foreach (var (key, option) in flags)
        {
            key.ReadFlag(parse, option, settings);
        }

        return settings;
    }
}
