using Edge.Camera.Frames;
using Edge.Camera.Sources;

namespace Edge.Camera.Synthetic;

/// <summary>
/// A camera that films MultiFashion scenes: a new scene every <c>scene_frames</c> frames, its items drifting in
/// between, each frame carrying its ground-truth label set. Deterministic for a seed. Needs no native library.
/// </summary>
public sealed class SyntheticSource : IFrameSource
{
    private readonly MultiFashionRenderer renderer;
    private readonly MultiFashionScene scene = new();
    private readonly float[] scratch;
    private readonly ulong seed;
    private readonly int sceneFrames;
    private readonly long frameLimit;
    private long produced;
    private long sceneIndex = -1;

    public SyntheticSource(SyntheticSourceOptions options, FashionMnist items, string description = "synthetic")
    {
        renderer = new MultiFashionRenderer(items, options.Split, options.Size, options.OutfitShare);
        scratch = new float[renderer.ScratchLength];
        seed = options.Seed;
        sceneFrames = options.SceneFrames;
        frameLimit = options.FrameLimit;
        PacingFps = options.Fps > 0 ? options.Fps : null;
        Description = description;
    }

    public string Description { get; }

    public double? PacingFps { get; }

    public int Size => renderer.CanvasSize;

    public static SyntheticSource Create(SourceSpec spec, string? fashionMnistFolder = null)
    {
        var options = new SyntheticSourceOptions
        {
            Seed = (ulong)spec.GetInt("seed", 1, 0, int.MaxValue),
            Size = spec.GetInt("size", 224, 32, 4096),
            Fps = spec.GetDouble("fps", 30, 0, 1000),
            SceneFrames = spec.GetInt("scene_frames", 30, 1, 1_000_000),
            FrameLimit = spec.GetInt("frames", 0, 0, int.MaxValue),
            Split = ParseSplit(spec),
            OutfitShare = spec.GetDouble("outfit_share", 0, 0, 1),
        };
        spec.RejectUnknownOptions();
        return new SyntheticSource(options, FashionMnistLocator.LoadFor(options.Split, fashionMnistFolder), spec.Text);
    }

    public void Open()
    {
    }

    private static MultiFashionSplit ParseSplit(SourceSpec spec)
    {
        try
        {
            return MultiFashionSplits.Parse(spec.GetString("split") ?? "live");
        }
        catch (ArgumentException exception)
        {
            throw new FrameSourceException($"source option 'split' in '{spec.Text}' is invalid: {exception.Message}");
        }
    }

    public void Close()
    {
    }

    public FrameReadResult Read(Frame target)
    {
        if (frameLimit > 0 && produced >= frameLimit)
        {
            return FrameReadResult.EndOfStream;
        }

        var index = produced / sceneFrames;
        if (index != sceneIndex)
        {
            renderer.Generate(seed, index, scene);
            sceneIndex = index;
        }

        target.Resize(Size, Size);
        renderer.Render(scene, produced % sceneFrames, (ulong)produced, target.PixelSpan, scratch);
        target.SetTruth(scene.Truth);
        produced++;
        return FrameReadResult.Frame;
    }

    public void Dispose()
    {
    }
}

public sealed class SyntheticSourceOptions
{
    public ulong Seed { get; init; } = 1;

    public int Size { get; init; } = 224;

    /// <summary>Frames per second to pace to; 0 renders as fast as frames are taken.</summary>
    public double Fps { get; init; } = 30;

    public int SceneFrames { get; init; } = 30;

    /// <summary>Stop after this many frames (0: endless).</summary>
    public long FrameLimit { get; init; }

    public MultiFashionSplit Split { get; init; } = MultiFashionSplit.Live;

    /// <summary>Share of scenes that follow the outfit co-occurrence prior (0-1).</summary>
    public double OutfitShare { get; init; }
}
