using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Runtime.Inference;
using Edge.Runtime.Preprocessing;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Pipeline;

/// <summary>
/// What the pipeline runs at one degrade level: a model session with its preprocessing and message writer, and how
/// often (one frame in <see cref="FrameStride"/>). Level 0 is the configured model at full rate.
/// </summary>
public sealed class InferenceProfile
{
    public InferenceProfile(string name, ModelSession session, ImagePreprocessor preprocessor, LabelSetWriter writer, int frameStride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameStride, 1);
        Name = name;
        Session = session;
        Preprocessor = preprocessor;
        Writer = writer;
        FrameStride = frameStride;
    }

    public string Name { get; }

    public ModelSession Session { get; }

    public ImagePreprocessor Preprocessor { get; }

    public LabelSetWriter Writer { get; }

    public int FrameStride { get; }

    /// <summary>Places active labels from the session's activation maps, when they are bound.</summary>
    public LabelLocator? Locator { get; init; }

    /// <summary>A profile for <paramref name="bundle"/>'s model, the preprocessing and writer its manifest calls for.</summary>
    public static InferenceProfile For(string name, ModelBundle bundle, ModelSession session, string device, string source, int frameStride = 1) =>
        new(name, session, new ImagePreprocessor(bundle.Input), new LabelSetWriter(bundle.Labels, device, source, bundle, session.Report.Active), frameStride)
        {
            Locator = session.Maps is null ? null : new LabelLocator(bundle.Labels.Count, session.MapHeight, session.MapWidth),
        };
}
