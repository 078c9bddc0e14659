using System.CommandLine;
using Edge.Cli.Configuration;

namespace Edge.Cli.Tests.Configuration;

public sealed class SettingFlagsTests
{
    [Fact]
    public void Read_SetsTheGivenFlagsOnly_TypedAsDeclared()
    {
        var flags = SettingFlags.For("model", "budget_ms", "ep", "threads");
        var command = new Command("bench");
        foreach (var option in flags.Options)
        {
            command.Options.Add(option);
        }

        var layer = flags.Read(command.Parse(["--budget-ms", "40.5", "--ep", "cpu"]));

        Assert.Equal(40.5, layer.BudgetMs);
        Assert.Equal("cpu", layer.Ep);
        Assert.Null(layer.Model);
        Assert.Null(layer.Threads);
    }

    [Fact]
    public void Options_AreNamedAfterTheirKeys()
    {
        var names = SettingFlags.For("budget_ms", "cpu_spin", "top_k").Options.Select(option => option.Name);

        Assert.Equal(["--budget-ms", "--cpu-spin", "--top-k"], names);
    }

    [Theory]
    [InlineData("budget")]
    [InlineData("degrade")] // a file-only section has no flag
    public void For_NameThatIsNoFlaggedSetting_IsRefused(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => SettingFlags.For(name));

        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
    }
}
