using System.Text.Json;
using Edge.Cli.Commands;

namespace Edge.Cli.Tests.Commands;

/// <summary><c>edge bench</c> through the real app on the tiny fixture model.</summary>
[Trait("Category", "App")]
public sealed class BenchCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly TestBundle bundle = TestBundle.Create();
    private readonly DirectoryInfo output = Directory.CreateTempSubdirectory("edge-bench-");

    public void Dispose()
    {
        bundle.Dispose();
        output.Delete(recursive: true);
    }

    [Fact]
    public void CpuSpin_Flag_RunsAndIsRecordedInTheJson()
    {
        var json = Path.Combine(output.FullName, "spin.json");

        var result = Bench("--frames", "20", "--warmup", "2", "--cpu-spin", "during-run", "--json", json);

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("during-run", document.RootElement.GetProperty("mode").GetProperty("cpu_spin").GetString());
        Assert.Equal(20, document.RootElement.GetProperty("published").GetInt64());
        Assert.Contains("cpu spin during-run", result.StandardError + result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_HasTheDocumentedKeys_AndCountsEveryFrame()
    {
        var json = Path.Combine(output.FullName, "bench.json");

        var result = Bench("--frames", "40", "--json", json);

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        Assert.Equal("edge.bench/1", root.GetProperty("schema").GetString());
        foreach (var key in new[] { "e2e_ms", "bare_ms" })
        {
            var summary = root.GetProperty(key);
            foreach (var statistic in new[] { "p50", "p90", "p99", "p999", "max", "mean" })
            {
                Assert.True(summary.GetProperty(statistic).GetDouble() > 0, $"{key}.{statistic}");
            }
        }

        Assert.Equal(["queue", "preprocess", "inference", "decode", "publish"], root.GetProperty("stages").EnumerateObject().Select(p => p.Name));
        // No frame missed, so the overhead ratios are over the same published frames as e2e_ms and bare_ms. Their
        // end-to-end times are taken as each label set is handed to the outputs, e2e_ms's once the outputs have it:
        // never later, so each ratio is positive and at most e2e_ms over bare_ms at the same percentile. (How large it
        // is depends on the machine's load: a bare run slowed by a neighbour puts the p99 ratio below 1.) The JSON
        // rounds every number to 4 decimals, which the bound allows for.
        const double Rounding = 0.00005;
        foreach (var (ratio, statistic) in new[] { ("overhead_ratio_p50", "p50"), ("overhead_ratio_p99", "p99") })
        {
            var value = root.GetProperty(ratio).GetDouble();
            var endToEnd = root.GetProperty("e2e_ms").GetProperty(statistic).GetDouble();
            var bare = root.GetProperty("bare_ms").GetProperty(statistic).GetDouble();
            Assert.InRange(value, double.Epsilon, ((endToEnd + Rounding) / (bare - Rounding)) + Rounding);
        }

        Assert.True(root.GetProperty("alloc_bytes_per_frame").GetDouble() >= 0);
        foreach (var key in new[] { "gen0", "gen1", "gen2", "dropped", "late", "missed" })
        {
            Assert.Equal(0, root.GetProperty(key).GetInt64());
        }

        Assert.True(root.GetProperty("gc_pause_ms").GetDouble() >= 0);
        Assert.True(root.GetProperty("fps").GetDouble() > 0);
        Assert.Equal(40, root.GetProperty("frames").GetInt64());
        Assert.Equal(40, root.GetProperty("published").GetInt64());
        Assert.Equal("tiny-multilabel", root.GetProperty("model").GetProperty("name").GetString());
        Assert.Equal("fp32", root.GetProperty("model").GetProperty("precision").GetString());
        Assert.Equal("cpu", root.GetProperty("ep").GetString());
        Assert.True(root.GetProperty("env").GetProperty("cores").GetInt32() > 0);
        Assert.Equal("max", root.GetProperty("mode").GetProperty("rate").GetString());
        Assert.Single(root.GetProperty("variants").EnumerateArray());
        Assert.Empty(root.GetProperty("comparison").EnumerateArray());
        Assert.Contains("overhead e2e/bare", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_RunsEveryConfiguration_AndReportsRatiosToTheFirst()
    {
        var json = Path.Combine(output.FullName, "compare.json");

        var result = Bench("--frames", "30", "--compare", $"{bundle.Directory},{bundle.Directory}@cpu", "--json", json);

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var variants = document.RootElement.GetProperty("variants").EnumerateArray().ToList();
        Assert.Equal(2, variants.Count);
        Assert.All(variants, v => Assert.Equal(30, v.GetProperty("frames").GetInt64()));
        var comparison = Assert.Single(document.RootElement.GetProperty("comparison").EnumerateArray());
        Assert.Equal($"{bundle.Directory}@cpu", comparison.GetProperty("variant").GetString());
        Assert.True(comparison.GetProperty("e2e_p50_ratio").GetDouble() > 0);
        Assert.Contains("ratios to", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void FixedRate_PacesTheFrames()
    {
        var json = Path.Combine(output.FullName, "rate.json");

        var result = Bench("--frames", "30", "--rate", "40", "--json", json);

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(40, document.RootElement.GetProperty("mode").GetProperty("rate").GetDouble());
        Assert.InRange(document.RootElement.GetProperty("fps").GetDouble(), 20, 44);
    }

    [Fact]
    public void InjectedInferenceDelay_PastTheBudget_IsCancelledAndCounted()
    {
        var json = Path.Combine(output.FullName, "slow.json");

        var result = Bench("--frames", "10", "--warmup", "2", "--budget-ms", "30", "--inject-delay", "inference=200", "--miss-policy", "drop", "--json", json);

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        Assert.Equal(0, root.GetProperty("published").GetInt64());
        // Every frame is cancelled, unless a loaded machine made it stale before it started.
        Assert.Equal(10, root.GetProperty("cancelled").GetInt64() + root.GetProperty("dropped").GetInt64());
        Assert.True(root.GetProperty("cancelled").GetInt64() > 0);
        Assert.Equal(root.GetProperty("cancelled").GetInt64(), root.GetProperty("missed").GetInt64());
        Assert.InRange(root.GetProperty("cancel_delay_ms").GetProperty("max").GetDouble(), 0, 100);
    }

    [Theory]
    [InlineData("--rate", "fast", ExitCode.InvalidArguments, "--rate 'fast' is invalid")]
    [InlineData("--frames", "0", ExitCode.InvalidArguments, "--frames is 0")]
    [InlineData("--compare", "a", ExitCode.InvalidArguments, "names one configuration")]
    [InlineData("--compare", "a@gpu,b", ExitCode.InvalidArguments, "names execution provider 'gpu'")]
    [InlineData("--json", "/nonexistent/folder/b.json", ExitCode.InvalidArguments, "--json folder '/nonexistent/folder'")]
    [InlineData("--source", "webcam:1", ExitCode.SourceFailed, "unknown source 'webcam:1'")]
    public void BadInput_OneLineErrorAndExitCode(string flag, string value, ExitCode expected, string mentions)
    {
        var result = Bench(flag, value);

        EdgeProcess.AssertOneLineError(result, expected, mentions);
    }

    [Fact]
    public void Streams_Three_PrintsEveryStreamAndWritesTheMultiStreamJson()
    {
        var json = Path.Combine(output.FullName, "streams.json");

        var result = Bench("--streams", "3", "--frames", "10", "--warmup", "2", "--json", json);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("[3 streams]", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("throughput pipeline/bare batched", result.StandardOutput, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var run = Assert.Single(document.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal("edge.bench.streams/1", document.RootElement.GetProperty("schema").GetString());
        Assert.Equal(["s0", "s1", "s2"], run.GetProperty("per_stream").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.True(run.GetProperty("fairness").GetDouble() >= 1);
    }

    [Fact]
    public void Streams_One_IsTheSingleStreamBench()
    {
        var json = Path.Combine(output.FullName, "one.json");

        var result = Bench("--streams", "1", "--json", json);

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("edge.bench/1", document.RootElement.GetProperty("schema").GetString());
        Assert.Equal(20, document.RootElement.GetProperty("published").GetInt64());
    }

    [Fact]
    public void Streams_CompareCounts_WritesTheReport()
    {
        var report = Path.Combine(output.FullName, "report");

        var result = Bench("--streams", "1,2", "--frames", "10", "--warmup", "2", "--report", report);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("stream counts compared", result.StandardOutput, StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(report, "streams-scaling.png")).Length > 0);
        Assert.True(File.Exists(Path.Combine(report, "summary.md")));
    }

    [Theory]
    [InlineData("--streams", "0", "--frames", "20", "--streams '0' asks for 0 streams: expected 1 to 16")]
    [InlineData("--streams", "17", "--frames", "20", "asks for 17 streams: expected 1 to 16 (max_streams)")]
    [InlineData("--streams", "1,x", "--frames", "20", "--streams '1,x' has 'x'")]
    [InlineData("--streams", "2,2", "--frames", "20", "names 2 twice")]
    [InlineData("--streams", "2", "--rates", "30,fast", "--rates '30,fast' has 'fast'")]
    [InlineData("--rates", "30,15", "--frames", "20", "--rates applies to several streams: expected it with --streams N")]
    [InlineData("--max-batch", "2", "--frames", "20", "--max-batch applies to several streams")]
    [InlineData("--streams", "2", "--max-batch", "-1", "--max-batch is -1: expected 0 to 1024")]
    [InlineData("--streams", "2", "--compare", "a,b", "--compare compares models and --streams compares stream counts")]
    [InlineData("--streams", "2", "--max-batch", "64", "max_batch")]
    public void Streams_BadInput_OneLineErrorAndExitTwo(string flag, string value, string otherFlag, string otherValue, string mentions)
    {
        var result = Bench(flag, value, otherFlag, otherValue);

        EdgeProcess.AssertOneLineError(result, ExitCode.InvalidArguments, mentions);
    }

    private EdgeProcess.Result Bench(params string[] arguments)
    {
        var defaults = new Dictionary<string, string>
        {
            ["--model"] = bundle.Directory,
            ["--frames"] = "20",
            ["--warmup"] = "5",
            ["--block"] = "10",
            ["--source"] = "synthetic?size=64",
            ["--budget-ms"] = "60000",
        };
        var command = new List<string> { "bench" };
        for (var i = 0; i < arguments.Length; i += 2)
        {
            defaults[arguments[i]] = arguments[i + 1];
        }

        foreach (var (flag, value) in defaults)
        {
            command.Add(flag);
            command.Add(value);
        }

        return EdgeProcess.Run(Timeout, [.. command]);
    }
}
