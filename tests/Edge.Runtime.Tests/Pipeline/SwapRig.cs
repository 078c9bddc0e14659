using System.Text.Json;
using Edge.Camera.Frames;
using Edge.Runtime.Bundles;
using Edge.Runtime.Budget;
using Edge.Runtime.Decoding;
using Edge.Runtime.Inference;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Tests.Pipeline;

/// <summary>
/// Streams of the tiny batched model through one scheduler on a manual clock, fed and driven by the test, with a
/// <see cref="ModelSwap"/> over it. Each stream's frames always hold the same picture, so its scores stay the same
/// across a swap to the same weights, and every label is on from the first frame (thresholds near 0).
/// </summary>
internal sealed class SwapRig : IDisposable
{
    public const string Head = "tiny";

    private readonly TestBundle running;
    private readonly FrameSignal signal = new();
    private readonly List<FramePipeline> pipelines = [];

    public SwapRig(int streams, int maxBatch, IFrameOutput sink)
    {
        running = TestBundle.CreateBatched(maxBatch: 4);
        Bundle = running.Load();
        Session = ModelSession.Create(Bundle, ExecutionProviderChoice.Cpu, 1, maxBatch: maxBatch);
        var labels = Bundle.Labels.Select(label => new LabelThreshold(label.Name, 0.001f, 0.0005f)).ToList();
        Slots = new FrameSlot[streams];
        var scheduled = new List<ScheduledStream>();
        for (var s = 0; s < streams; s++)
        {
            var seed = s;
            Slots[s] = new FrameSlot(() => PipelineHarness.RandomFrame(64, 48, seed)) { Signal = signal };
            var decoder = new MultiLabelDecoder(labels, Bundle.OutputKind, new DecoderOptions());
            var head = InferenceHead.For(Head, Bundle, Session, decoder, new MessageOrigin("test-device", $"cam{s}", "synthetic"), labels);
            var pipeline = new FramePipeline(head, [sink], new FrameBudget(10_000, Time), Time);
            pipelines.Add(pipeline);
            scheduled.Add(new ScheduledStream(Slots[s], [pipeline]));
        }

        Scheduler = new BatchScheduler(scheduled, signal, Time);
        Scheduler.WarmUp();
        Swap = new ModelSwap(Scheduler);
    }

    public ModelBundle Bundle { get; }

    /// <summary>The session the run started with (disposed by a successful swap).</summary>
    public ModelSession Session { get; }

    public ManualTimeProvider Time { get; } = new();

    public FrameSlot[] Slots { get; }

    public BatchScheduler Scheduler { get; }

    public ModelSwap Swap { get; }

    public IReadOnlyList<FramePipeline> Pipelines => pipelines;

    private long round;

    /// <summary>Every camera delivers its next frame (sequence numbers 1, 2, ...) and the scheduler labels all of them.</summary>
    public void Round()
    {
        round++;
        foreach (var slot in Slots)
        {
            slot.SpareForWriter.CapturedAt = Time.GetTimestamp();
            slot.SpareForWriter.Sequence = round;
            slot.Publish();
        }

        Time.Advance(TimeSpan.FromMilliseconds(1));
        while (Scheduler.RunOnce(out _))
        {
        }
    }

    public void Rounds(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Round();
        }
    }

    /// <summary>Drives the frame thread (no new frames) until <paramref name="swap"/> completes.</summary>
    public SwapResult Await(Task<SwapResult> swap)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!swap.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the swap did not complete within 60 s");
            Scheduler.RunOnce(out _);
            Thread.Sleep(1);
        }

        return swap.GetAwaiter().GetResult();
    }

    /// <summary>A copy of the running bundle (same weights and labels) whose manifest <c>name</c> is <paramref name="name"/>.</summary>
    public static TestBundle Renamed(string name, Action<System.Text.Json.Nodes.JsonObject>? edit = null) =>
        TestBundle.CreateBatched(maxBatch: 4, manifest =>
        {
            manifest["name"] = name;
            edit?.Invoke(manifest);
        });

    public void Dispose()
    {
        foreach (var session in Scheduler.Sessions)
        {
            session.Dispose();
        }

        Scheduler.Dispose();
        foreach (var pipeline in pipelines)
        {
            pipeline.Dispose();
        }

        signal.Dispose();
        running.Dispose();
    }
}

/// <summary>A published label set, as the tests read it.</summary>
internal sealed record LabelSet(string Stream, long Frame, string Model, int TurnedOn, int TurnedOff, string Active)
{
    public static LabelSet Parse(string message)
    {
        using var json = JsonDocument.Parse(message);
        var root = json.RootElement;
        return new LabelSet(
            root.GetProperty("stream").GetString()!,
            root.GetProperty("frame").GetInt64(),
            root.GetProperty("model").GetProperty("name").GetString()!,
            root.GetProperty("turned_on").GetArrayLength(),
            root.GetProperty("turned_off").GetArrayLength(),
            root.GetProperty("active").GetRawText());
    }
}
