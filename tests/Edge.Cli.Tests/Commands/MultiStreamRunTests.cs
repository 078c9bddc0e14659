using System.Globalization;
using System.Text.Json;
using Edge.Camera.Frames;
using Edge.Camera.Sources;

namespace Edge.Cli.Tests.Commands;

/// <summary>Four synthetic cameras with distinct seeds in one edge run, on the shipped default model.</summary>
[Trait("Category", "App")]
public sealed class MultiStreamRunTests
{
    private static readonly string[] Streams = ["front", "rear", "left", "right"];

    [Fact]
    public void Run_FourStreamsWithDistinctSeeds_EachLabelSetIsOfItsOwnStreamsFrameAndMatchesItsTruth()
    {
        using var folder = new TemporaryFolder();
        var config = Path.Combine(folder.Path, "four.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            budget_ms = 60000,
            streams = Streams.Select((id, i) => new { id, source = Source(i) }).ToArray(),
        }));

        var result = EdgeProcess.Run(TimeSpan.FromMinutes(5), "run", "--config", config, "--frames", "160");

        Assert.Equal(0, result.ExitCode);
        var byStream = result.OutputLines.Select(line => JsonDocument.Parse(line).RootElement).GroupBy(root => root.GetProperty("stream").GetString()!).ToDictionary(group => group.Key, group => group.ToList());
        Assert.Equal(Streams.Order(), byStream.Keys.Order());
        for (var i = 0; i < Streams.Length; i++)
        {
            var labelSets = byStream[Streams[i]];
            Assert.True(labelSets.Count >= 20, $"stream {Streams[i]} published {labelSets.Count} of 160 label sets");
            var truths = TruthOf(Source(i), labelSets.Max(root => root.GetProperty("frame").GetInt64()));
            double f1 = 0;
            foreach (var root in labelSets)
            {
                Assert.Equal(Source(i), root.GetProperty("source").GetString());

                // The frame's own truth as its stream's seed renders it: a frame of another stream would not match.
                var truth = root.GetProperty("truth").EnumerateArray().Select(label => label.GetString()!).Order().ToArray();
                Assert.Equal(truths[root.GetProperty("frame").GetInt64()], truth);
                var active = root.GetProperty("active").EnumerateArray().Select(label => label.GetString()!).ToHashSet();
                f1 += truth.Length + active.Count == 0 ? 1 : 2.0 * truth.Count(active.Contains) / (truth.Length + active.Count);
            }

            Assert.True(f1 / labelSets.Count >= 0.85, $"stream {Streams[i]}: example-F1 {f1 / labelSets.Count:F3} against its own truth");
        }

        Assert.Contains("batches on session 1", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_TwoStreamsFeedingTwoHeads_EachFramePublishedOncePerHeadWithItsOwnThresholds()
    {
        using var folder = new TemporaryFolder();
        var config = Path.Combine(folder.Path, "heads.json");
        var fp32 = Path.Combine(Repository.Root(), "models", "multifashion-resnet18");
        File.WriteAllText(config, $$"""
            {
              "budget_ms": 60000,
              "streams": [
                { "id": "front", "source": "synthetic?seed=5&fps=5" },
                { "id": "rear", "source": "synthetic?seed=6&fps=5", "heads": ["fp32"] }
              ],
              "heads": [ { "name": "fp32", "model": {{JsonSerializer.Serialize(fp32)}}, "thresholds": { "bag": { "threshold": 0.99 } } } ]
            }
            """);

        var result = EdgeProcess.Run(TimeSpan.FromMinutes(5), "run", "--config", config, "--frames", "30");

        Assert.Equal(0, result.ExitCode);
        var labelSets = result.OutputLines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var heads = labelSets.Select(root => (Stream: root.GetProperty("stream").GetString(), Head: root.GetProperty("head").GetString())).Distinct().ToHashSet();
        Assert.Contains(("front", "multifashion-resnet18-int8-cpu"), heads);
        Assert.Contains(("front", "fp32"), heads);
        Assert.Contains(("rear", "fp32"), heads);
        Assert.DoesNotContain(("rear", "multifashion-resnet18-int8-cpu"), heads);
        Assert.All(labelSets.Where(root => root.GetProperty("head").GetString() == "fp32"), root => Assert.Equal("multifashion-resnet18", root.GetProperty("model").GetProperty("name").GetString()));

        // No frame of a stream is published twice by one head.
        var published = labelSets.Select(root => (root.GetProperty("stream").GetString(), root.GetProperty("head").GetString(), root.GetProperty("frame").GetInt64())).ToList();
        Assert.Equal(published.Count, published.Distinct().Count());
    }

    [Theory]
    [InlineData("{ \"max_batch\": 9 }", "setting 'max_batch' is 9: expected at most model 'multifashion-resnet18-int8-cpu''s maximum batch, 8")]
    [InlineData("{ \"streams\": [ { \"id\": \"a\", \"source\": \"synthetic\", \"thresholds\": { \"umbrella\": { \"threshold\": 0.5 } } } ] }", "setting 'streams[0].thresholds.umbrella'")]
    [InlineData("{ \"heads\": [ { \"name\": \"second\", \"model\": \"MODEL\", \"thresholds\": { \"umbrella\": { \"threshold\": 0.5 } } } ] }", "setting 'heads[0].thresholds.umbrella'")]
    public void Run_SettingsThatNeedTheBundle_ExitInvalidArgumentsWithOneLine(string json, string mentions)
    {
        using var folder = new TemporaryFolder();
        var config = Path.Combine(folder.Path, "bad.json");
        File.WriteAllText(config, json.Replace("MODEL", Path.Combine(Repository.Root(), "models", "multifashion-resnet18-int8-cpu"), StringComparison.Ordinal));

        var result = EdgeProcess.Run(TimeSpan.FromMinutes(2), "run", "--config", config, "--frames", "1");

        EdgeProcess.AssertOneLineError(result, Edge.Cli.Commands.ExitCode.InvalidArguments, mentions);
        Assert.Empty(result.OutputLines);
    }

    private static string Source(int stream) => $"synthetic?seed={31 + stream}&fps=10";

    /// <summary>The truth of frames 1..<paramref name="last"/> of a synthetic source, read as the capture loop numbers them.</summary>
    private static Dictionary<long, string[]> TruthOf(string source, long last)
    {
        var names = new[] { "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot" };
        using var reader = FrameSources.Create(source);
        reader.Open();
        var frame = new Frame(224, 224);
        var truths = new Dictionary<long, string[]>();
        for (long sequence = 1; sequence <= last; sequence++)
        {
            Assert.Equal(FrameReadResult.Frame, reader.Read(frame));
            truths[sequence] = [.. frame.Truth.ToArray().Select(label => names[label]).Order()];
        }

        return truths;
    }
}
