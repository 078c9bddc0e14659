using BenchmarkDotNet.Attributes;
using Edge.Camera.Frames;
using Edge.Runtime.Decoding;
using Edge.Runtime.Publishing;

namespace Edge.Benchmarks;

/// <summary>
/// One label-set message (docs/label-set-message.md) written as a JSON line: every label's score, three active
/// labels that just turned on, two that just turned off, per-stage latency, model and, optionally, where each active
/// label is. The frame comes from a camera, so it carries no ground truth.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10, id: "Short")]
[MemoryDiagnoser]
public class SerialisationBenchmarks
{
    private const int Seed = 20261126;
    private const int MapSide = 7;
    private static readonly DateTimeOffset CapturedAt = new(2026, 11, 26, 7, 14, 9, TimeSpan.Zero);
    private static readonly int[] WereActive = [0, 3];
    private static readonly int[] NowActive = [1, 5, 8];

    private readonly Frame frame = new(1280, 720);
    private readonly StageLatency latency = new() { Queue = 8.092, Preprocess = 0.25, Inference = 36.517, Decode = 0.008, Total = 44.868 };
    private LabelSetWriter writer = null!;
    private MultiLabelDecoder decoder = null!;
    private LabelLocator? locator;

    /// <summary>10: the default model; 80: a COCO-sized label set (the scores object grows with it).</summary>
    [Params(10, 80)]
    public int Labels { get; set; }

    [Params(false, true)]
    public bool Locations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var model = DefaultModel.Load();
        var labels = LabelSets.Labels(model, Labels);
        writer = new LabelSetWriter(labels, new MessageOrigin("jetson-orin-nano", "cam0", "v4l2:0"), model, "tensorrt");
        decoder = new MultiLabelDecoder(labels, model.OutputKind, new DecoderOptions());
        decoder.Decode(LogitsWithActive(Labels, WereActive));
        decoder.Decode(LogitsWithActive(Labels, NowActive));

        if (Locations)
        {
            locator = new LabelLocator(Labels, MapSide, MapSide);
            var random = new Random(Seed);
            var maps = new float[Labels * MapSide * MapSide];
            for (var i = 0; i < maps.Length; i++)
            {
                maps[i] = (float)((random.NextDouble() * 8) - 4);
            }

            locator.Locate(maps, decoder.Active);
        }
    }

    [Benchmark]
    public int Write()
    {
        frame.Sequence++;
        writer.Write(frame, CapturedAt, decoder, latency, budgetMs: 100, deadlineMet: true, locator);
        return writer.Message.Length;
    }

    /// <summary>Logits that put the given labels well above any threshold and every other label well below.</summary>
    private static float[] LogitsWithActive(int labels, int[] active)
    {
        var logits = new float[labels];
        Array.Fill(logits, -5f);
        foreach (var label in active)
        {
            logits[label] = 4f;
        }

        return logits;
    }
}
