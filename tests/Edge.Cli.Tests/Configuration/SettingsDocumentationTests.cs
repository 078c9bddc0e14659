using System.Text.RegularExpressions;
using Edge.Cli.Configuration;

namespace Edge.Cli.Tests.Configuration;

/// <summary>docs/configuration.md's settings table against the declarations in RunSettings: one source of truth.</summary>
public sealed partial class SettingsDocumentationTests
{
    private readonly IReadOnlyList<Row> rows = Table();

    [Fact]
    public void EveryDeclaredSetting_HasARow()
    {
        var documented = rows.SelectMany(row => row.Keys).ToHashSet(StringComparer.Ordinal);

        Assert.All(SettingKey.All, key => Assert.Contains(key.Name, documented));
    }

    [Fact]
    public void EveryRow_NamesDeclaredSettings()
    {
        var declared = SettingKey.All.Select(key => key.Name).ToHashSet(StringComparer.Ordinal);

        Assert.All(rows.SelectMany(row => row.Keys), key => Assert.Contains(key, declared));
    }

    [Fact]
    public void LayeredSettings_ShowTheirFlagAndVariable()
    {
        foreach (var key in SettingKey.Layered)
        {
            var row = Assert.Single(rows, row => row.Keys.Contains(key.Name));
            Assert.Matches($"`{Regex.Escape(key.Flag!)}[` ]", row.Flag);
            Assert.Matches($"`{Regex.Escape(key.EnvironmentVariable!)}[` ]", row.Environment);
        }
    }

    [Fact]
    public void EveryDocumentedVariable_IsOneTheAppReads()
    {
        var documented = rows.SelectMany(row => Variable().Matches(row.Environment).Select(match => match.Value)).ToList();

        Assert.NotEmpty(documented);
        Assert.All(documented, name => Assert.Contains(name, RunSettings.EnvironmentVariables));
    }

    [Fact]
    public void EnvironmentLayer_TakesEveryDocumentedSettingVariable()
    {
        var documented = rows.SelectMany(row => Variable().Matches(row.Environment).Select(match => match.Value))
            .Where(name => name != RunSettings.MqttPasswordVariable && name != Edge.Server.Hosting.Security.ApiToken.Variable) // secrets the outputs read, not settings
            .ToList();

        foreach (var name in documented)
        {
            var value = name == RunSettings.MqttUriVariable ? "mqtt://broker" : "1"; // "1" parses as every setting's type
            var settings = RunSettings.FromEnvironment(variable => variable == name ? value : null);

            var taken = name == RunSettings.MqttUriVariable
                ? settings.Mqtt?.Uri
                : SettingKey.Layered.Single(key => key.EnvironmentVariable == name).ValueIn(settings);
            Assert.True(taken is not null, $"{name} is documented but the environment layer did not take it");
        }
    }

    private static List<Row> Table()
    {
        var page = File.ReadAllLines(Path.Combine(Repository.Root(), "docs", "configuration.md"));
        var header = Array.FindIndex(page, line => line.StartsWith("| key (JSON) |", StringComparison.Ordinal));
        Assert.True(header >= 0, "docs/configuration.md has no settings table");
        return [.. page.Skip(header + 2)
            .TakeWhile(line => line.StartsWith('|'))
            .Select(line => line.Split('|'))
            .Select(cells => new Row([.. Key().Matches(cells[1]).Select(match => match.Groups[1].Value)], cells[2], cells[3]))];
    }

    private sealed record Row(IReadOnlyList<string> Keys, string Flag, string Environment);

    [GeneratedRegex("`([a-z_]+)`")]
    private static partial Regex Key();

    [GeneratedRegex("EDGE_[A-Z_]+")]
    private static partial Regex Variable();
}
