using BenchmarkDotNet.Attributes;
using Edge.Runtime.Decoding;

namespace Edge.Benchmarks;

/// <summary>
/// One frame of model outputs (logits) into a label set: sigmoid, optional smoothing, per-label hysteresis, optional
/// top-k, turned-on and turned-off lists. Each call decodes the next frame of a pre-made stream, so the measured
/// state changes from frame to frame as it does on a camera.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10, id: "Short")]
[MemoryDiagnoser]
public class DecodingBenchmarks
{
    private const int Seed = 20261126;

    private MultiLabelDecoder decoder = null!;
    private float[][] frames = [];
    private int next;

    /// <summary>10: the default model; 80: a COCO-sized label set.</summary>
    [Params(10, 80)]
    public int Labels { get; set; }

    /// <summary>Weight of the previous score; 0 turns smoothing off.</summary>
    [Params(0f, 0.6f)]
    public float Smoothing { get; set; }

    /// <summary>At most this many active labels; 0 for no cap.</summary>
    [Params(0, 3)]
    public int TopK { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var model = DefaultModel.Load();
        decoder = new MultiLabelDecoder(LabelSets.Labels(model, Labels), model.OutputKind, new DecoderOptions { Smoothing = Smoothing, TopK = TopK });
        frames = LabelSets.Logits(Labels, Seed);
    }

    [Benchmark]
    public int Decode()
    {
        decoder.Decode(frames[next]);
        next = (next + 1) % frames.Length;
        return decoder.ActiveCount;
    }
}

/// <summary>
/// Decoding after the logits are re-scored by a dense labels × labels matrix (every label gathers from every other: the
/// most a bundle's <c>rescoring</c> block can ask), against the same decode without it in <see cref="DecodingBenchmarks"/>.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10, id: "Short")]
[MemoryDiagnoser]
public class RescoredDecodingBenchmarks
{
    private const int Seed = 20261126;

    private MultiLabelDecoder decoder = null!;
    private LogitRescoring rescoring = null!;
    private float[][] frames = [];
    private int next;

    /// <summary>10: the default model; 80: a COCO-sized label set.</summary>
    [Params(10, 80)]
    public int Labels { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var model = DefaultModel.Load();
        decoder = new MultiLabelDecoder(LabelSets.Labels(model, Labels), model.OutputKind, new DecoderOptions());
        rescoring = new LogitRescoring([.. Enumerable.Range(0, Labels * Labels).Select(cell => cell % (Labels + 1) == 0 ? 0f : 0.2f / (Labels - 1))], new float[Labels]);
        frames = LabelSets.Logits(Labels, Seed);
    }

    [Benchmark]
    public int DecodeRescored()
    {
        decoder.Decode(frames[next], rescoring);
        next = (next + 1) % frames.Length;
        return decoder.ActiveCount;
    }
}

/// <summary>
/// Where each active label is, from the default model's 10 per-label 7x7 activation maps (its CSRA head's second
/// output), for three active labels.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10, id: "Short")]
[MemoryDiagnoser]
public class LabelLocatorBenchmarks
{
    private const int Seed = 20261126;
    private const int Labels = 10;
    private const int MapSide = 7;

    private readonly int[] active = [1, 5, 8];
    private LabelLocator locator = null!;
    private float[] maps = [];

    [GlobalSetup]
    public void Setup()
    {
        locator = new LabelLocator(Labels, MapSide, MapSide);
        var random = new Random(Seed);
        maps = new float[Labels * MapSide * MapSide];
        for (var i = 0; i < maps.Length; i++)
        {
            maps[i] = (float)((random.NextDouble() * 8) - 4);
        }
    }

    [Benchmark]
    public LabelLocation Locate()
    {
        locator.Locate(maps, active);
        return locator[active[0]];
    }
}
