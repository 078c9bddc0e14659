using System.Text.Json;
using Edge.Cli.Commands;

namespace Edge.Cli.Tests.Commands;

[Trait("Category", "App")]
public sealed class LocateTests
{
    [Fact]
    public void Run_LocateWithTheDefaultModel_PlacesEveryActiveLabelInsideTheFrame()
    {
        var result = EdgeProcess.Run(TimeSpan.FromMinutes(2), "run", "--locate", "--source", "synthetic?seed=3&fps=20", "--frames", "12", "--budget-ms", "60000");

        Assert.Equal(0, result.ExitCode);
        var located = 0;
        foreach (var line in result.OutputLines)
        {
            using var message = JsonDocument.Parse(line);
            var root = message.RootElement;
            var active = root.GetProperty("active").EnumerateArray().Select(e => e.GetString()!).ToList();
            var locations = root.GetProperty("locations");
            Assert.Equal(active.Order(StringComparer.Ordinal), locations.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            foreach (var location in locations.EnumerateObject())
            {
                var x = location.Value.GetProperty("x").GetDouble();
                var box = location.Value.GetProperty("box").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                Assert.InRange(x, 0, 1);
                Assert.Equal(4, box.Length);
                Assert.True(box[0] <= x && x <= box[2], "the peak lies inside its box");
                located++;
            }
        }

        Assert.True(located > 0);
    }

    [Fact]
    public void Run_LocateWithAModelWithoutMaps_ExitsInvalidArguments()
    {
        using var bundle = TestBundle.Create();

        var result = EdgeProcess.Run(TimeSpan.FromSeconds(60), "run", "--locate", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=0", "--frames", "1");

        Assert.Equal((int)ExitCode.InvalidArguments, result.ExitCode);
        Assert.Contains("output.maps", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ManifestMapsNameNotInModel_ExitsInvalidModelNamingTheField()
    {
        using var bundle = TestBundle.Create(manifest => manifest["output"]!["maps"] = "heatmaps");

        var result = EdgeProcess.Run(TimeSpan.FromSeconds(60), "run", "--model", bundle.Directory, "--source", "synthetic?size=32&fps=0", "--frames", "1");

        Assert.Equal((int)ExitCode.InvalidModel, result.ExitCode);
        Assert.Contains("manifest field 'output.maps'", result.StandardError, StringComparison.Ordinal);
    }
}
