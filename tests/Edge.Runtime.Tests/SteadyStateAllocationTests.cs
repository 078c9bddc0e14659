using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Decoding;
using Edge.Runtime.Events;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Preprocessing;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Tests;


[Collection(nameof(AllocationCollection))]
public sealed class SteadyStateAllocationTests : IDisposable
{
    private const int WarmUpFrames = 20;
    private const int MeasuredFrames = 50;
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Theory]
    [InlineData(32, 32)] // model size: no resampling
    [InlineData(64, 48)] // resampled
    public void Process_SteadyState_AllocatesNothing(int width, int height)
    {
        var time = new ManualTimeProvider();
        var sink = new CountingSink();
        var pipeline = harness.CreatePipeline(time, sink, budgetMs: 100, smoothing: 0.3f, topK: 3);
        var frame = PipelineHarness.RandomFrame(width, height, seed: 6);
        frame.SetTruth([1, 4]);
        var allocated = AllocatedAfterWarmUp(pipeline, frame, time);

        Assert.Equal(0, allocated);
        Assert.Equal(WarmUpFrames + MeasuredFrames, sink.Count);
        Assert.Equal(WarmUpFrames + MeasuredFrames, pipeline.Stats.Published);
        Assert.Equal(WarmUpFrames + MeasuredFrames, pipeline.Stats.TruthFrames);
        Assert.Contains($"\"frame\":{WarmUpFrames + MeasuredFrames - 1},", sink.LastMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_SteadyStateWithRescoring_AllocatesNothing()
    {
        using var rescored = new PipelineHarness(manifest => manifest["rescoring"] = TestBundle.RescoringBlock(0.02));
        var time = new ManualTimeProvider();
        var sink = new CountingSink();
        var pipeline = rescored.CreatePipeline(time, sink, budgetMs: 100, MissPolicy.Flag);
        var frame = PipelineHarness.RandomFrame(64, 48, seed: 9);
        var allocated = AllocatedAfterWarmUp(pipeline, frame, time);

        Assert.Equal(0, allocated);
        Assert.Same(rescored.Bundle.Rescoring, pipeline.Heads[0].Rescoring);
        Assert.Equal(WarmUpFrames + MeasuredFrames, sink.Count);
    }

    [Fact]
    public void Process_StaleFrames_AllocateNothing()
    {
        var time = new ManualTimeProvider();
        var sink = new CountingSink();
        var pipeline = harness.CreatePipeline(time, sink, budgetMs: 10);
        var frame = PipelineHarness.RandomFrame(32, 32, seed: 7);
        frame.CapturedAt = time.GetTimestamp();
        time.Advance(TimeSpan.FromMilliseconds(11));
        pipeline.Process(frame);

        SettleGarbageCollector();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < MeasuredFrames; i++)
        {
            pipeline.Process(frame);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(MeasuredFrames + 1, pipeline.Stats.DroppedStale);
        Assert.Equal(0, sink.Count);
    }

    [Theory]
    [InlineData(MissPolicy.Flag)]
    [InlineData(MissPolicy.Drop)]
    [InlineData(MissPolicy.Degrade)]
    public void Process_LateFramesAndEvents_AllocateNothing(MissPolicy policy)
    {
        var eventsPath = Path.GetTempFileName();
        try
        {
            var time = new ManualTimeProvider();
            var sink = new CountingSink();
            using var eventLines = JsonLinesSink.Open(eventsPath, time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            var events = new EventLinesOutput(new EventJsonWriter("test-device"), eventLines);
            var slowDecode = new ManualSlowStage(time, PipelineStage.Decode);
            var degrade = new DegradeOptions { WindowFrames = 4, RecoverFrames = 4, MissRateToDegrade = 0.3 };
            using var pipeline = harness.CreatePipeline(time, sink, budgetMs: 100, policy, degrade: policy == MissPolicy.Degrade ? degrade : null, delay: slowDecode, events: events);
            var frame = PipelineHarness.RandomFrame(40, 30, seed: 9);
            const int warmUp = 160; // every path, level and change at least once
            for (var i = 0; i < warmUp; i++)
            {
                ProcessMixed(pipeline, frame, time, slowDecode, i);
            }

            SettleGarbageCollector();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = warmUp; i < warmUp + 4 * MeasuredFrames; i++)
            {
                ProcessMixed(pipeline, frame, time, slowDecode, i);
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(0, allocated);
            Assert.True(pipeline.Stats.Missed >= MeasuredFrames / 4, $"only {pipeline.Stats.Missed} frames missed");
            Assert.True(eventLines.Written >= pipeline.Stats.Missed, $"{eventLines.Written} event lines for {pipeline.Stats.Missed} missed frames");
            if (policy == MissPolicy.Degrade)
            {
                Assert.True(pipeline.Stats.Degradations > 0 && pipeline.Stats.Recoveries > 0 && pipeline.Stats.Skipped > 0);
            }
        }
        finally
        {
            File.Delete(eventsPath);
        }
    }

    [Fact]
    public void Process_RealClockAndTimer_AllocatesNothing()
    {
        var sink = new CountingSink();
        using var pipeline = harness.CreatePipeline(TimeProvider.System, sink, budgetMs: 1000, MissPolicy.Drop);
        var frame = PipelineHarness.RandomFrame(64, 48, seed: 10);
        for (var i = 0; i < WarmUpFrames; i++)
        {
            frame.CapturedAt = TimeProvider.System.GetTimestamp();
            pipeline.Process(frame);
        }

        SettleGarbageCollector();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < MeasuredFrames; i++)
        {
            frame.CapturedAt = TimeProvider.System.GetTimestamp();
            pipeline.Process(frame);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(WarmUpFrames + MeasuredFrames, sink.Count);
    }

    /// <summary>Each stage on its own, so a failure of the pipeline test points at the stage that allocates.</summary>
    [Theory]
    [InlineData("preprocess")]
    [InlineData("inference")]
    [InlineData("decode")]
    [InlineData("decode-rescored")]
    [InlineData("serialise")]
    public void Stage_SteadyState_AllocatesNothing(string stage)
    {
        var bundle = harness.Bundle;
        var session = harness.Session;
        var preprocessor = new ImagePreprocessor(bundle.Input);
        var decoder = new MultiLabelDecoder(bundle.Labels, bundle.OutputKind, new DecoderOptions { Smoothing = 0.5f, TopK = 2 });
        var rescoring = new LogitRescoring([.. Enumerable.Range(0, 100).Select(cell => cell % 11 == 0 ? 0f : 0.02f)], new float[10]);
        var writer = new LabelSetWriter(bundle.Labels, new MessageOrigin("device", "cam0", "synthetic"), bundle, "cpu");
        var frame = PipelineHarness.RandomFrame(50, 70, seed: 8);
        frame.SetTruth([3]);
        var latency = new StageLatency { Queue = 1.5, Preprocess = 2.25, Inference = 3, Decode = 0.125, Total = 7 };
        Action step = stage switch
        {
            "preprocess" => () => preprocessor.Process(frame.PixelSpan, frame.Width, frame.Height, session.Input),
            "inference" => session.Run,
            "decode" => () => decoder.Decode(session.Output),
            "decode-rescored" => () => decoder.Decode(session.Output, rescoring),
            _ => () => writer.Write(frame, Start, decoder, latency, 100, deadlineMet: true),
        };
        preprocessor.Process(frame.PixelSpan, frame.Width, frame.Height, session.Input);
        session.Run();
        decoder.Decode(session.Output);
        for (var i = 0; i < WarmUpFrames; i++)
        {
            step();
        }

        SettleGarbageCollector();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < MeasuredFrames; i++)
        {
            frame.Sequence = i;
            step();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.All(session.Output, value => Assert.True(float.IsFinite(value)));
    }

    /// <summary>Completes any background GC and pending finalizers, so no GC work overlaps the measured window.</summary>
    private static void SettleGarbageCollector()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>Bursts of late frames (decode made slow) between on-time ones: misses, events, level changes.</summary>
    private static void ProcessMixed(FramePipeline pipeline, Frame frame, ManualTimeProvider time, ManualSlowStage slowDecode, int sequence)
    {
        time.Advance(TimeSpan.FromMilliseconds(33));
        frame.Sequence = sequence;
        frame.CapturedAt = time.GetTimestamp();
        slowDecode.Delay = TimeSpan.FromMilliseconds(sequence % 16 < 6 ? 150 : 5);
        pipeline.Process(frame);
    }

    /// <summary>Bytes allocated on this thread while processing the measured frames, after the warm-up frames.</summary>
    private static long AllocatedAfterWarmUp(FramePipeline pipeline, Frame frame, ManualTimeProvider time)
    {
        for (var i = 0; i < WarmUpFrames; i++)
        {
            ProcessNext(pipeline, frame, time, i);
        }

        SettleGarbageCollector();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = WarmUpFrames; i < WarmUpFrames + MeasuredFrames; i++)
        {
            ProcessNext(pipeline, frame, time, i);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void ProcessNext(FramePipeline pipeline, Frame frame, ManualTimeProvider time, int sequence)
    {
        time.Advance(TimeSpan.FromMilliseconds(33));
        frame.Sequence = sequence;
        frame.CapturedAt = time.GetTimestamp();
        var pixels = frame.Pixels;
        pixels[sequence % pixels.Length] ^= 0x5a; // a slightly different image every frame
        if (pipeline.Process(frame) != FrameOutcome.Published)
        {
            throw new InvalidOperationException($"frame {sequence} was not published");
        }
    }
}
