using BenchmarkDotNet.Attributes;
using Edge.Runtime.Bundles;
using Edge.Runtime.Preprocessing;

namespace Edge.Benchmarks;

/// <summary>
/// One camera frame (packed BGR24) into the default model's 224x224 float NCHW input: bilinear resize under each
/// resize policy, colour order, mean subtraction. Sampling tables are built on the first frame of a size, so setup
/// processes one frame and the benchmark measures the steady state.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10, id: "Short")]
[MemoryDiagnoser]
public class PreprocessingBenchmarks
{
    private const int Seed = 20261126;

    private ImagePreprocessor preprocessor = null!;
    private byte[] frame = [];
    private float[] tensor = [];

    [ParamsSource(nameof(Sources))]
    public FrameSize Source { get; set; } = null!;

    [Params(ResizePolicy.Stretch, ResizePolicy.CenterCrop, ResizePolicy.Letterbox)]
    public ResizePolicy Resize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        frame = new byte[Source.Width * Source.Height * 3];
        new Random(Seed).NextBytes(frame);

        preprocessor = new ImagePreprocessor(DefaultModel.Load().Input with { Resize = Resize });
        tensor = new float[preprocessor.TensorLength];
        preprocessor.Process(frame, Source.Width, Source.Height, tensor);
    }

    [Benchmark]
    public void Process() => preprocessor.Process(frame, Source.Width, Source.Height, tensor);

    public static IEnumerable<FrameSize> Sources() => [new(640, 480), new(1280, 720), new(1920, 1080)];
}

/// <summary>A camera frame size; ordered by pixel count so results read from the smallest frame up.</summary>
public sealed record FrameSize(int Width, int Height) : IComparable<FrameSize>, IComparable
{
    public int CompareTo(FrameSize? other) => other is null ? 1 : (Width * Height).CompareTo(other.Width * other.Height);

    public int CompareTo(object? obj) => CompareTo(obj as FrameSize);

    public override string ToString() => $"{Width}x{Height}";
}
