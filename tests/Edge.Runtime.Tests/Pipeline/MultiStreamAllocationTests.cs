using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Decoding;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Tests.Pipeline;

/// <summary>Four streams through one scheduler allocate nothing per frame once warm.</summary>
[Collection(nameof(AllocationCollection))]
public sealed class MultiStreamAllocationTests
{
    private const int Streams = 4;

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void RunOnce_FourStreamsInSteadyState_AllocatesNothing(int maxBatch)
    {
        using var batched = TestBundle.CreateBatched(maxBatch: 4);
        var bundle = batched.Load();
        using var session = Edge.Runtime.Inference.ModelSession.Create(bundle, Edge.Runtime.Inference.ExecutionProviderChoice.Cpu, 1, maxBatch: maxBatch);
        var time = new ManualTimeProvider();
        var sink = new CountingSink();
        using var signal = new FrameSignal();
        var slots = new FrameSlot[Streams];
        var scheduled = new List<ScheduledStream>();
        for (var s = 0; s < Streams; s++)
        {
            slots[s] = new FrameSlot(() => PipelineHarness.RandomFrame(64, 48, seed: s)) { Signal = signal };
            var decoder = new MultiLabelDecoder(bundle.Labels, bundle.OutputKind, new DecoderOptions { Smoothing = 0.2f });
            var head = InferenceHead.For("tiny", bundle, session, decoder, new MessageOrigin("test-device", $"cam{s}", "synthetic"));
            scheduled.Add(new ScheduledStream(slots[s], [new FramePipeline(head, [sink], new FrameBudget(100, time), time)]));
        }

        using var scheduler = new BatchScheduler(scheduled, signal, time);
        scheduler.WarmUp();
        RunRounds(scheduler, slots, time, rounds: 20);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        RunRounds(scheduler, slots, time, rounds: 50);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(70 * Streams, sink.Count);
        Assert.True(scheduler.Batches(0, maxBatch) > 0, $"no batch of {maxBatch} ran");
    }

    /// <summary>Each round every camera delivers one frame and the scheduler labels all of them.</summary>
    private static void RunRounds(BatchScheduler scheduler, FrameSlot[] slots, ManualTimeProvider time, int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            foreach (var slot in slots)
            {
                slot.SpareForWriter.CapturedAt = time.GetTimestamp();
                slot.SpareForWriter.Sequence++;
                slot.Publish();
            }

            time.Advance(TimeSpan.FromMilliseconds(1));
            while (scheduler.RunOnce(out _))
            {
            }
        }
    }
}
