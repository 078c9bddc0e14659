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
    private int width;
    private int height;

    [Params("640x480", "1280x720", "1920x1080")]
    public string Source { get; set; } = "";

    [Params(ResizePolicy.Stretch, ResizePolicy.CenterCrop, ResizePolicy.Letterbox)]
    public ResizePolicy Resize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var size = Source.Split('x');
        width = int.Parse(size[0], System.Globalization.CultureInfo.InvariantCulture);
        height = int.Parse(size[1], System.Globalization.CultureInfo.InvariantCulture);
        frame = new byte[width * height * 3];
        new Random(Seed).NextBytes(frame);

        preprocessor = new ImagePreprocessor(DefaultModel.Load().Input with { Resize = Resize });
        tensor = new float[preprocessor.TensorLength];
        preprocessor.Process(frame, width, height, tensor);
    }

    [Benchmark]
    public void Process() => preprocessor.Process(frame, width, height, tensor);
}
