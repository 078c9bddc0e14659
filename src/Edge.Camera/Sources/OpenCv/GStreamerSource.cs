using OpenCvSharp;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>
/// A GStreamer pipeline ending in appsink, taken whole from <c>gst:PIPELINE</c> or built by a Jetson camera preset
/// (<c>csi:</c>, <c>usb-gst:</c>, see <see cref="JetsonCameraSources"/>). Needs an OpenCV built with
/// GStreamer, which the prebuilt linux-x64 runtime is not; on Jetson, JetPack's OpenCV is.
/// </summary>
internal sealed class GStreamerSource : CaptureSource
{
    public const string NoGStreamerMessage =
        "this OpenCV build has no GStreamer support (gst:, csi: and usb-gst: sources need it): on Jetson build OpenCvSharpExtern against JetPack's OpenCV, see docs/sources.md";

    private GStreamerSource(string description, string pipeline)
        : base(description)
    {
        Pipeline = pipeline;
    }

    public string Pipeline { get; }

    public static GStreamerSource Create(SourceSpec spec)
    {
        spec.RejectUnknownOptions();
        return new GStreamerSource(spec.Text, spec.Target);
    }

    public static GStreamerSource ForPipeline(string description, string pipeline) => new(description, pipeline);

    protected override VideoCapture OpenCapture()
    {
        if (OpenCvInfo.TryLoad() is not { HasGStreamer: true })
        {
            throw new FrameSourceException(NoGStreamerMessage);
        }

        var capture = new VideoCapture(Pipeline, VideoCaptureAPIs.GSTREAMER);
        if (!capture.IsOpened())
        {
            throw OpenFailed(
                capture,
                $"cannot open GStreamer pipeline '{Pipeline}': expected a pipeline that ends in an appsink delivering BGR, "
                + "for example '... ! videoconvert ! video/x-raw,format=BGR ! appsink drop=true max-buffers=1'");
        }

        return capture;
    }
}
