using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Decoding;
using Edge.Runtime.Inference;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Tests.Pipeline;

/// <summary>Swapping a head's model while the scheduler serves several streams (<see cref="ModelSwap"/>).</summary>
public sealed class ModelSwapTests
{
    private const int Streams = 3;
    private const int Frames = 300;

    private readonly CollectingSink sink = new();

    [Fact]
    public void SwapAsync_UnderLoad_EveryFramePublishedOnceAndTheModelChangesAtOneBoundaryPerStream()
    {
        using var rig = new SwapRig(Streams, maxBatch: Streams, sink);
        using var next = SwapRig.Renamed("tiny-v2");
        rig.Rounds(100);

        // Frames keep coming while the new model loads; should it still be loading at frame 250, the frame thread goes
        // on without new frames until it switches, so the switch lands between frames 100 and 300.
        var swap = rig.Swap.SwapAsync(SwapRig.Head, next.Directory, CancellationToken.None);
        var rounds = 100;
        while (!swap.IsCompleted && rounds < 250)
        {
            rig.Round();
            rounds++;
        }

        var result = rig.Await(swap);
        rig.Rounds(Frames - rounds);

        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal("tiny-v2", result.Model);
        var sets = sink.Messages.Select(LabelSet.Parse).ToList();
        for (var s = 0; s < Streams; s++)
        {
            var stream = $"cam{s}";
            var ofStream = sets.Where(set => set.Stream == stream).ToList();
            Assert.Equal(Enumerable.Range(1, Frames).Select(frame => (long)frame), ofStream.Select(set => set.Frame));
            var last = Assert.Single(result.Streams, switched => switched.Stream == stream).LastFrameOnOldModel;
            Assert.InRange(last, 100, Frames - 1);
            Assert.All(ofStream, set => Assert.Equal(set.Frame <= last ? "tiny-multilabel" : "tiny-v2", set.Model));
        }
    }

    [Fact]
    public void SwapAsync_FramesTakenButNotYetRun_RunOnTheNewModel()
    {
        // Batches of one: after one batch two of the three streams' frames wait, admitted with the old head.
        using var rig = new SwapRig(Streams, maxBatch: 1, sink);
        using var next = SwapRig.Renamed("tiny-v2");
        foreach (var slot in rig.Slots)
        {
            slot.SpareForWriter.CapturedAt = rig.Time.GetTimestamp();
            slot.SpareForWriter.Sequence = 1;
            slot.Publish();
        }

        Assert.True(rig.Scheduler.RunOnce(out _));
        var swap = rig.Swap.SwapAsync(SwapRig.Head, next.Directory, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!rig.Scheduler.SwitchPending && !swap.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the swap was not handed to the frame thread within 60 s");
            Thread.Sleep(1);
        }

        var result = rig.Await(swap);
        while (rig.Scheduler.RunOnce(out _))
        {
        }

        Assert.True(result.Succeeded, result.Failure);
        var sets = sink.Messages.Select(LabelSet.Parse).ToList();
        Assert.Equal(Streams, sets.Count);
        Assert.Equal(Streams, sets.Select(set => set.Stream).Distinct().Count());
        var old = Assert.Single(sets, set => set.Model == "tiny-multilabel");
        Assert.Equal(1, Assert.Single(result.Streams, switched => switched.Stream == old.Stream).LastFrameOnOldModel);
        Assert.All(result.Streams.Where(switched => switched.Stream != old.Stream), switched => Assert.Equal(0, switched.LastFrameOnOldModel));
    }

    [Fact]
    public void SwapAsync_Succeeded_TimingsFilledAndTheTotalCoversEveryStep()
    {
        using var rig = new SwapRig(Streams, maxBatch: Streams, sink);
        using var next = SwapRig.Renamed("tiny-v2");
        rig.Rounds(5);

        var result = rig.Await(rig.Swap.SwapAsync(SwapRig.Head, next.Directory, CancellationToken.None));

        Assert.True(result.Succeeded, result.Failure);
        var t = result.Timings;
        Assert.All(new[] { t.LoadMs, t.CreateMs, t.WarmUpMs }, ms => Assert.True(ms > 0, $"timings {t}"));
        Assert.True(t.WaitMs >= 0, $"timings {t}");
        Assert.True(t.TotalMs >= t.LoadMs + t.CreateMs + t.WarmUpMs + t.WaitMs, $"timings {t}");
        Assert.Equal(Streams, result.Streams.Count);
        Assert.All(result.Streams, switched => Assert.Equal(5, switched.LastFrameOnOldModel));
    }

    [Fact]
    public void SwapAsync_ActiveLabels_CarryOverWithoutTurningOffAndOn()
    {
        using var rig = new SwapRig(Streams, maxBatch: Streams, sink);
        using var next = SwapRig.Renamed("tiny-v2");
        rig.Rounds(10);
        var before = LabelSet.Parse(sink.Messages[^1]);
        Assert.NotEqual("[]", before.Active);
        sink.Messages.Clear();

        Assert.True(rig.Await(rig.Swap.SwapAsync(SwapRig.Head, next.Directory, CancellationToken.None)).Succeeded);
        rig.Rounds(10);

        var after = sink.Messages.Select(LabelSet.Parse).ToList();
        Assert.All(after, set => Assert.Equal("tiny-v2", set.Model));
        Assert.All(after, set => Assert.Equal((0, 0), (set.TurnedOn, set.TurnedOff)));
        Assert.Equal(before.Active, after.Last(set => set.Stream == before.Stream).Active);
    }

    [Fact]
    public void SwapAsync_ToABundleWithRescoring_EveryStreamsNewHeadAppliesIt()
    {
        using var rig = new SwapRig(Streams, maxBatch: Streams, sink);
        using var next = SwapRig.Renamed("tiny-v2", manifest => manifest["rescoring"] = TestBundle.RescoringBlock(0.03));
        rig.Rounds(3);
        Assert.All(rig.Pipelines, pipeline => Assert.Null(pipeline.Heads[0].Rescoring));

        Assert.True(rig.Await(rig.Swap.SwapAsync(SwapRig.Head, next.Directory, CancellationToken.None)).Succeeded);
        rig.Rounds(3);

        Assert.All(rig.Pipelines, pipeline => Assert.Equal(0.03f, pipeline.Heads[0].Rescoring!.Row(0)[1]));
        Assert.All(sink.Messages.Skip(3 * Streams).Select(LabelSet.Parse), set => Assert.Equal("tiny-v2", set.Model));
    }

    public static TheoryData<string, string> BrokenBundles => new()
    {
        { "missing-model-file", "does not exist" },
        { "labels-differ", "expected the same labels in the same order" },
        { "corrupt-onnx", "could not be given a session" },
        { "hash-mismatch", "sha256" },
        { "output-kind-differs", "expected the same output kind" },
        { "batch-too-small", "expected a batch.max of at least 3" },
    };

    [Theory]
    [MemberData(nameof(BrokenBundles))]
    public void SwapAsync_BrokenBundle_FailsAndTheRunningModelKeepsPublishing(string defect, string expected)
    {
        using var rig = new SwapRig(Streams, maxBatch: Streams, sink);
        using var broken = Broken(defect);
        rig.Rounds(5);

        var result = rig.Await(rig.Swap.SwapAsync(SwapRig.Head, broken.Directory, CancellationToken.None));
        rig.Rounds(5);

        Assert.False(result.Succeeded);
        Assert.Contains(expected, result.Failure, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Failure!);
        Assert.Empty(result.Streams);
        Assert.Same(rig.Session, Assert.Single(rig.Scheduler.Sessions));
        var sets = sink.Messages.Select(LabelSet.Parse).ToList();
        Assert.Equal(10 * Streams, sets.Count);
        Assert.All(sets, set => Assert.Equal("tiny-multilabel", set.Model));
    }

    [Fact]
    public void SwapAsync_NoSuchHead_FailsNamingTheHeads()
    {
        using var rig = new SwapRig(Streams, maxBatch: Streams, sink);
        using var next = SwapRig.Renamed("tiny-v2");

        var result = rig.Await(rig.Swap.SwapAsync("nope", next.Directory, CancellationToken.None));

        Assert.False(result.Succeeded);
        Assert.Equal("no head is named 'nope': expected one of [tiny]", result.Failure);
    }

    [Fact]
    public async Task SwapAsync_WhileAnotherIsInFlight_RefusedAndTheFirstStillSwitches()
    {
        using var rig = new SwapRig(Streams, maxBatch: Streams, sink);
        using var next = SwapRig.Renamed("tiny-v2");
        using var other = SwapRig.Renamed("tiny-v3");

        var first = rig.Swap.SwapAsync(SwapRig.Head, next.Directory, CancellationToken.None);
        var second = rig.Swap.SwapAsync(SwapRig.Head, other.Directory, CancellationToken.None);

        Assert.True(second.IsCompleted);
        Assert.Contains("a swap of head 'tiny' is in progress", (await second).Failure, StringComparison.Ordinal);
        Assert.True(rig.Await(first).Succeeded);
        rig.Round();
        Assert.Equal("tiny-v2", LabelSet.Parse(sink.Messages[^1]).Model);
    }

    [Fact]
    public async Task SwapAsync_CancelledWhileNoFrameThreadRuns_RunningModelUntouched()
    {
        using var rig = new SwapRig(Streams, maxBatch: Streams, sink);
        using var next = SwapRig.Renamed("tiny-v2");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        // Nobody calls RunOnce: the swap can only wait for a boundary that never comes, until it is cancelled.
        var result = await rig.Swap.SwapAsync(SwapRig.Head, next.Directory, cancel.Token);
        rig.Round();

        Assert.False(result.Succeeded);
        Assert.Contains("cancelled", result.Failure, StringComparison.Ordinal);
        Assert.Same(rig.Session, Assert.Single(rig.Scheduler.Sessions));
        Assert.All(sink.Messages.Select(LabelSet.Parse), set => Assert.Equal("tiny-multilabel", set.Model));
    }

    [Fact]
    public void SwapAsync_DegradeLadder_StepsOnTheHeadsSessionSwitchAndAStepWithItsOwnModelStays()
    {
        using var running = TestBundle.Create();
        using var ladderModel = TestBundle.Create(manifest => manifest["name"] = "tiny-small");
        using var next = TestBundle.Create(manifest => manifest["name"] = "tiny-v2");
        var bundle = running.Load();
        var small = ladderModel.Load();
        using var session = ModelSession.Create(bundle, ExecutionProviderChoice.Cpu, 1);
        using var smallSession = ModelSession.Create(small, ExecutionProviderChoice.Cpu, 1);
        var time = new ManualTimeProvider();
        using var signal = new FrameSignal();
        var decoder = new MultiLabelDecoder(bundle.Labels, bundle.OutputKind, new DecoderOptions());
        var origin = new MessageOrigin("test-device", "cam0", "synthetic");
        var degrade = new DegradeOptions { Ladder = [new LadderStep { Name = "half", FrameStride = 2 }, new LadderStep { Name = "small", FrameStride = 1, Model = "unused" }] };
        InferenceHead[] ladder = [InferenceHead.For("half", bundle, session, decoder, origin), InferenceHead.For("small", small, smallSession, decoder, origin)];
        using var pipeline = new FramePipeline(InferenceHead.For("tiny", bundle, session, decoder, origin), [sink], new FrameBudget(1000, time), time, MissPolicy.Degrade, (degrade, ladder));
        var slot = new FrameSlot(() => new Frame(32, 32)) { Signal = signal };
        using var scheduler = new BatchScheduler([new ScheduledStream(slot, [pipeline])], signal, time);
        var swap = new ModelSwap(scheduler);

        var result = RunUntilDone(scheduler, swap.SwapAsync("tiny", next.Directory, CancellationToken.None));

        Assert.True(result.Succeeded, result.Failure);
        var replacement = pipeline.Heads[0].Session;
        Assert.NotSame(session, replacement);
        Assert.Same(replacement, pipeline.Heads[1].Session);
        Assert.Same(smallSession, pipeline.Heads[2].Session);
        Assert.Equal(["tiny", "half", "small"], pipeline.Heads.Select(head => head.Name));
        Assert.Same(decoder, pipeline.Heads[1].Decoder);
        Assert.Equal([replacement, smallSession], scheduler.Sessions);
        replacement.Dispose();
    }

    private static SwapResult RunUntilDone(BatchScheduler scheduler, Task<SwapResult> swap)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!swap.IsCompleted && DateTime.UtcNow < deadline)
        {
            scheduler.RunOnce(out _);
            Thread.Sleep(1);
        }

        return swap.GetAwaiter().GetResult();
    }

    private static TestBundle Broken(string defect)
    {
        switch (defect)
        {
            case "missing-model-file":
            {
                var bundle = SwapRig.Renamed("tiny-v2");
                File.Delete(bundle.ModelPath);
                return bundle;
            }

            case "labels-differ":
                return SwapRig.Renamed("tiny-v2", manifest => manifest["labels"]![0]!["name"] = "tee");
            case "corrupt-onnx":
            {
                var bundle = SwapRig.Renamed("tiny-v2");
                bundle.ReplaceModel([.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);
                return bundle;
            }

            case "hash-mismatch":
            {
                var bundle = SwapRig.Renamed("tiny-v2");
                bundle.Manifest["sha256"] = new string('0', 64);
                bundle.WriteManifest();
                return bundle;
            }

            case "output-kind-differs":
                return SwapRig.Renamed("tiny-v2", manifest => manifest["output"]!["kind"] = "probabilities");
            case "batch-too-small":
                return SwapRig.Renamed("tiny-v2", manifest => manifest["batch"] = TestBundle.Batch(dynamic: true, max: 2));
            default:
                throw new ArgumentOutOfRangeException(nameof(defect));
        }
    }
}
