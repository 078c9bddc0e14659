using Edge.Camera.Sources.Network;
using Edge.Camera.Sources.OpenCv;
using Edge.Camera.Synthetic;

namespace Edge.Camera.Sources;

/// <summary>
/// Turns a source string (<c>v4l2:0</c>, <c>file:clip.mp4?loop=true</c>, <c>rtsp://...</c>, <c>gst:...</c>,
/// <c>images:DIR</c>, <c>synthetic?seed=3</c>) into an <see cref="IFrameSource"/>.
/// </summary>
/// <remarks>
/// Every source except <c>synthetic</c> needs OpenCV's native library, which needs GTK and has no prebuilt
/// linux-arm64 build. The OpenCV sources are therefore created in <see cref="OpenCvSources"/>, a separate class
/// whose factory is never inlined: the synthetic path never JIT-compiles a method that mentions an OpenCvSharp type,
/// so it neither loads OpenCvSharp.dll nor its native library. RTSP streams are decoded by
/// GStreamer's libraries directly (<see cref="NetworkStreamSource"/>) and do not need OpenCV either.
/// </remarks>
public static class FrameSources
{
    /// <summary>
    /// Parses <paramref name="sourceText"/> and creates the source it names (not yet opened).
    /// Throws <see cref="FrameSourceException"/> with one line naming the problem when the text or an option is wrong
    /// or the source's library is unavailable.
    /// </summary>
    /// <param name="sourceText">A source such as <c>synthetic</c>, <c>v4l2:0?width=640</c>, <c>file:clip.mp4</c> or an <c>rtsp://</c> URL.</param>
    /// <param name="fashionMnistFolder">Where the synthetic source finds Fashion-MNIST; null searches the usual places.</param>
    public static IFrameSource Create(string sourceText, string? fashionMnistFolder = null)
    {
        var spec = SourceSpec.Parse(sourceText);
        return spec.Scheme switch
        {
            "synthetic" => SyntheticSource.Create(spec, fashionMnistFolder),
            "rtsp" => NetworkStreamSource.Create(spec),
            _ => OpenCvSources.Create(spec),
        };
    }
}
