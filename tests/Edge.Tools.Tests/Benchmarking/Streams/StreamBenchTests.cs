using System.Text.Json;
using Edge.Runtime.Budget;
using Edge.Runtime.Inference;
using Edge.Tools.Benchmarking;
using Edge.Tools.Benchmarking.Report;
using Edge.Tools.Benchmarking.Streams;

namespace Edge.Tools.Tests.Benchmarking.Streams;

/// <summary>A short multi-stream bench on the tiny fixture model: what it reports, not how fast it is.</summary>
public sealed class StreamBenchTests : IDisposable
{
    private readonly TestBundle bundle = TestBundle.Create();
    private readonly DirectoryInfo output = Directory.CreateTempSubdirectory("edge-stream-bench-");

    public void Dispose()
    {
        bundle.Dispose();
        output.Delete(recursive: true);
    }

    [Fact]
    public void Run_ThreeStreams_ReportsEveryStreamAndFairness()
    {
        var result = Run([3]);

        var run = Assert.Single(result.Counts);
        Assert.Equal(3, run.StreamCount);
        Assert.Equal(["s0", "s1", "s2"], run.Streams.Select(s => s.Id));
        Assert.Equal(["synthetic?size=64&seed=1", "synthetic?size=64&seed=2", "synthetic?size=64&seed=3"], run.Streams.Select(s => s.Source));
        Assert.All(run.Streams, s =>
        {
            Assert.True(s.Published > 0, $"{s.Id} published nothing");
            Assert.True(s.Fps > 0);
            Assert.Equal(s.Published, s.EndToEnd.Count);
            Assert.Equal(0, s.Misses);
        });
        Assert.True(run.Published >= 3 * 30, $"published {run.Published}");
        Assert.True(run.Fairness >= 1 && double.IsFinite(run.Fairness), $"fairness {run.Fairness}");
        var highest = run.Streams.Max(s => s.Fps);
        var lowest = run.Streams.Min(s => s.Fps);
        Assert.Equal(highest / lowest, run.Fairness, 9);
        Assert.Equal(run.MaxBatch, run.BatchSizes.Count);
        Assert.Equal(run.Published, run.BatchSizes.Sum(b => b.Batches * b.Size));
        Assert.All(run.BatchSizes.Where(b => b.Batches > 0), b =>
        {
            Assert.True(b.ActualMs > 0 && b.PredictedMs > 0);
            Assert.True(b.Bare.Count > 0 && b.BareFps > 0);
        });
        Assert.True(run.BareFps > 0 && run.ThroughputRatio > 0);
        Assert.Equal(run.Published / run.MeasuredSeconds, run.AggregateFps, 9);
    }

    [Fact]
    public void Run_ListOfCounts_RunsEachInOrder_AtPerStreamRates()
    {
        var result = Run([1, 2], rates: [200, 100], frames: 20);

        Assert.Equal([1, 2], result.Counts.Select(c => c.StreamCount));
        var two = result.Counts[1];
        Assert.Equal([200, 100], two.Streams.Select(s => s.Rate));

        // Paced at 200 and 100 fps for --frames at the fastest rate: the slower stream is offered half as many frames.
        Assert.True(two.Streams[1].Frames < two.Streams[0].Frames, $"{two.Streams[0].Frames} and {two.Streams[1].Frames} frames");
    }

    [Fact]
    public void Json_MultiStreamSchema_HasEveryRunStreamAndBatchSize()
    {
        var result = Run([1, 3]);
        using var stream = new MemoryStream();

        StreamBenchJson.Write(stream, result, DateTimeOffset.UnixEpoch);

        using var document = JsonDocument.Parse(stream.ToArray());
        var root = document.RootElement;
        Assert.Equal("edge.bench.streams/1", root.GetProperty("schema").GetString());
        Assert.Equal([1, 3], root.GetProperty("mode").GetProperty("streams").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("tiny-multilabel", root.GetProperty("model").GetProperty("name").GetString());
        Assert.True(root.GetProperty("model").GetProperty("max_batch").GetInt32() >= 1);
        var runs = root.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal([1, 3], runs.Select(r => r.GetProperty("streams").GetInt32()));
        Assert.Equal(1.0, runs[0].GetProperty("aggregate_fps_ratio").GetDouble());
        foreach (var run in runs)
        {
            foreach (var key in new[] { "aggregate_fps", "fairness", "bare_fps", "throughput_ratio", "measured_s", "alloc_bytes_per_frame" })
            {
                Assert.Equal(JsonValueKind.Number, run.GetProperty(key).ValueKind);
            }

            Assert.True(run.GetProperty("e2e_ms").GetProperty("p99").GetDouble() > 0);
            Assert.Equal(0, run.GetProperty("misses").GetInt64());
            var streams = run.GetProperty("per_stream").EnumerateArray().ToList();
            Assert.Equal(run.GetProperty("streams").GetInt32(), streams.Count);
            foreach (var s in streams)
            {
                Assert.Equal("max", s.GetProperty("rate").GetString());
                foreach (var key in new[] { "frames", "published", "misses", "missed", "dropped_stale", "predicted_misses", "overwritten" })
                {
                    Assert.Equal(JsonValueKind.Number, s.GetProperty(key).ValueKind);
                }

                Assert.True(s.GetProperty("e2e_ms").GetProperty("max").GetDouble() >= s.GetProperty("e2e_ms").GetProperty("p50").GetDouble());
            }

            var sizes = run.GetProperty("batch_sizes").EnumerateArray().ToList();
            Assert.Equal(run.GetProperty("max_batch").GetInt32(), sizes.Count);
            Assert.Equal(run.GetProperty("published").GetInt64(), sizes.Sum(b => b.GetProperty("batches").GetInt64() * b.GetProperty("size").GetInt32()));
        }
    }

    [Fact]
    public void Report_WritesTheScalingChartAndSummary()
    {
        var result = Run([1, 2]);

        var written = StreamBenchReport.Write(output.FullName, result);

        Assert.Equal([Path.Combine(output.FullName, StreamBenchReport.ChartFile), Path.Combine(output.FullName, BenchReport.SummaryFile)], written);
        var png = File.ReadAllBytes(written[0]);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));
        var summary = File.ReadAllText(written[1]);
        Assert.Contains($"]({StreamBenchReport.ChartFile})", summary, StringComparison.Ordinal);
        Assert.Contains("## 2 streams", summary, StringComparison.Ordinal);
        Assert.Contains("`s1`", summary, StringComparison.Ordinal);
    }

    private StreamBenchResult Run(IReadOnlyList<int> counts, IReadOnlyList<double>? rates = null, int frames = 30)
    {
        var options = new StreamBenchOptions
        {
            Bench = new BenchOptions
            {
                Variants = [new BenchVariant("tiny", bundle.Directory, ExecutionProviderChoice.Cpu)],
                Source = "synthetic?size=64",
                Frames = frames,
                WarmUpFrames = 2,
                BudgetMs = 60_000,
                MissPolicy = MissPolicy.Flag,
                PlaybackFrames = 4,
            },
            StreamCounts = counts,
            Rates = rates ?? [],
            BareRuns = 4,
        };
        return new StreamBench(options).Run();
    }
}
