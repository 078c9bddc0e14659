using System.Text.RegularExpressions;
using Edge.Cli.Commands;

namespace Edge.Cli.Tests.Commands;

/// <summary>docs/configuration.md's exit-code table is what scripts and systemd units are written against: it must list every code.</summary>
public sealed partial class ExitCodeDocumentationTests
{
    [Fact]
    public void ConfigurationPage_ExitCodeTable_ListsEveryExitCodeOnce()
    {
        var documented = DocumentedCodes();

        Assert.Equal(Enum.GetValues<ExitCode>().Select(code => (int)code).Order(), documented.Order());
    }

    private static List<int> DocumentedCodes()
    {
        var page = File.ReadAllLines(Path.Combine(Repository.Root(), "docs", "configuration.md"));
        var heading = Array.IndexOf(page, "## Exit codes");
        Assert.True(heading >= 0, "docs/configuration.md has no '## Exit codes' section");
        return [.. page.Skip(heading + 1)
            .SkipWhile(line => !line.StartsWith('|'))
            .TakeWhile(line => line.StartsWith('|'))
            .Select(line => TableRow().Match(line))
            .Where(match => match.Success)
            .Select(match => int.Parse(match.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture))];
    }

    [GeneratedRegex(@"^\|\s*(?<code>[0-9]+)\s*\|")]
    private static partial Regex TableRow();
}
