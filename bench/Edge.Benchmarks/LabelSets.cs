using Edge.Runtime.Bundles;

namespace Edge.Benchmarks;

/// <summary>Label lists and model outputs shared by the decoding and serialisation benchmarks.</summary>
internal static class LabelSets
{
    /// <summary>A stream of frames long enough that the benchmark does not settle on one decoder state.</summary>
    public const int FrameCount = 64;

    private static readonly string[] CocoNames =
    [
        "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
        "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
        "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
        "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
        "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
        "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
        "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
        "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
        "hair drier", "toothbrush",
    ];

    /// <summary>The default model's 10 labels with their thresholds, or the 80 COCO labels at 0.5 on / 0.35 off.</summary>
    public static IReadOnlyList<LabelThreshold> Labels(ModelBundle defaultModel, int count) => count switch
    {
        10 => defaultModel.Labels,
        80 => [.. CocoNames.Select(name => new LabelThreshold(name, 0.5f, 0.35f))],
        _ => throw new ArgumentOutOfRangeException(nameof(count), count, "expected 10 (the default model) or 80 (COCO)"),
    };

    /// <summary>
    /// <see cref="FrameCount"/> frames of logits, one row per frame, as a camera watching a changing scene would give:
    /// about three objects present at a time, each present or absent object changing state on 10 % of frames, so
    /// labels turn on and off and hysteresis and top-k both have work to do.
    /// </summary>
    public static float[][] Logits(int labels, int seed)
    {
        var random = new Random(seed);
        var present = new bool[labels];
        var presentShare = Math.Min(3.0 / labels, 0.5);
        for (var i = 0; i < labels; i++)
        {
            present[i] = random.NextDouble() < presentShare;
        }

        var frames = new float[FrameCount][];
        for (var f = 0; f < FrameCount; f++)
        {
            frames[f] = new float[labels];
            for (var i = 0; i < labels; i++)
            {
                if (random.NextDouble() < 0.1)
                {
                    present[i] = random.NextDouble() < presentShare;
                }

                frames[f][i] = present[i]
                    ? (float)(random.NextDouble() * 5)
                    : (float)(-6 + (random.NextDouble() * 5));
            }
        }

        return frames;
    }
}
