using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Runtime.Inference;
using Edge.Runtime.Preprocessing;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Pipeline;

/// <summary>
/// One model applied to one stream's frames: its session, the preprocessing it needs, the decoder that turns its
/// output into labels, the writer of its label-set messages, and the locator of active labels when its activation
/// maps are bound. <see cref="FramePipeline"/> runs one head per frame (under the degrade policy, the one its level
/// picks).
/// </summary>
/// <remarks>
/// How often a head runs (a degrade step's frame stride) is not part of the head: it is the ladder step's choice, and
/// the same head could run at several rates. The decoder is shared, not owned: every head of one stream is given the
/// same <see cref="MultiLabelDecoder"/>, because its smoothing state and which labels are on belong to the stream, so a
/// degrade level change (another head taking over) neither restarts smoothing nor reports labels turning off and on.
/// </remarks>
public sealed class InferenceHead
{
    public InferenceHead(string name, ModelSession session, ImagePreprocessor preprocessor, MultiLabelDecoder decoder, LabelSetWriter writer)
    {
        if (decoder.LabelCount != writer.LabelCount)
        {
            throw new ArgumentException($"the decoder has {decoder.LabelCount} labels but the writer {writer.LabelCount}", nameof(writer));
        }

        Name = name;
        Session = session;
        Preprocessor = preprocessor;
        Decoder = decoder;
        Writer = writer;
    }

    /// <summary>The model's name at level 0, the ladder step's name below (degraded / recovered events name it).</summary>
    public string Name { get; }

    public ModelSession Session { get; }

    public ImagePreprocessor Preprocessor { get; }

    /// <summary>The stream's decoder, shared by all its heads.</summary>
    public MultiLabelDecoder Decoder { get; }

    public LabelSetWriter Writer { get; }

    /// <summary>The stream whose frames this head labels (written into every message).</summary>
    public string Stream => Writer.Stream;

    /// <summary>Places active labels from the session's activation maps, when they are bound.</summary>
    public LabelLocator? Locator { get; init; }

    /// <summary>The model's correction of its logits before decoding (the bundle's <c>rescoring</c>), or null.</summary>
    public LogitRescoring? Rescoring { get; init; }

    /// <summary>
    /// A head for <paramref name="bundle"/>'s model: the preprocessing and writer its manifest calls for, and a locator
    /// when the session binds activation maps. <paramref name="decoder"/> is the stream's (see the remarks).
    /// </summary>
    /// <param name="labels">The labels as the decoder uses them (thresholds overridden); the bundle's when null.</param>
    public static InferenceHead For(string name, ModelBundle bundle, ModelSession session, MultiLabelDecoder decoder, MessageOrigin origin, IReadOnlyList<LabelThreshold>? labels = null) =>
        new(name, session, new ImagePreprocessor(bundle.Input), decoder, new LabelSetWriter(labels ?? bundle.Labels, origin, bundle, session.Report.Active, head: name))
        {
            Locator = session.Maps is null ? null : new LabelLocator(bundle.Labels.Count, session.MapHeight, session.MapWidth),
            Rescoring = bundle.Rescoring,
        };
}
