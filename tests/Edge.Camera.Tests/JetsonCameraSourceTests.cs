using Edge.Camera.Sources;
using Edge.Camera.Sources.OpenCv;

namespace Edge.Camera.Tests;

/// <summary>The <c>csi:</c> and <c>usb-gst:</c> schemes, on a machine whose OpenCV (the official linux-x64 runtime) lacks GStreamer.</summary>
public sealed class JetsonCameraSourceTests
{
    [Theory]
    [InlineData("csi:0")]
    [InlineData("csi:1?width=1920&height=1080&fps=60&flip=2")]
    [InlineData("usb-gst:/dev/video0")]
    [InlineData("usb-gst:0?decoder=software")]
    public void Open_WithoutGStreamer_SaysGStreamerIsMissingAndWhereToRead(string text)
    {
        using var source = FrameSources.Create(text);

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Equal(GStreamerSource.NoGStreamerMessage, error.Message);
        Assert.Contains("csi:", error.Message, StringComparison.Ordinal);
        Assert.Contains("see docs/sources.md", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("csi:0", "nvarguscamerasrc sensor-id=0 ! video/x-raw(memory:NVMM),width=1280,height=720,framerate=30/1,format=NV12 ! nvvidconv flip-method=0 !")]
    [InlineData("CSI:3?width=3280&height=2464&fps=21&flip=6", "nvarguscamerasrc sensor-id=3 ! video/x-raw(memory:NVMM),width=3280,height=2464,framerate=21/1,format=NV12 ! nvvidconv flip-method=6 !")]
    [InlineData("usb-gst:/dev/video0", "v4l2src device=/dev/video0 ! image/jpeg,width=1280,height=720,framerate=30/1 ! nvv4l2decoder mjpeg=1 !")]
    [InlineData("usb-gst:2?width=640&height=480&fps=15&decoder=hw", "v4l2src device=/dev/video2 ! image/jpeg,width=640,height=480,framerate=15/1 ! nvv4l2decoder mjpeg=1 !")]
    [InlineData("usb-gst:/dev/v4l/by-id/usb-cam-video-index0?decoder=SOFTWARE", "v4l2src device=/dev/v4l/by-id/usb-cam-video-index0 ! image/jpeg,width=1280,height=720,framerate=30/1 ! jpegdec !")]
    public void Create_PresetScheme_BuildsTheJetsonPipeline(string text, string pipelineStart)
    {
        var spec = SourceSpec.Parse(text);
        var pipeline = spec.Scheme == "csi" ? JetsonCameraSources.CreateCsi(spec).Pipeline : JetsonCameraSources.CreateUsb(spec).Pipeline;

        Assert.StartsWith(pipelineStart, pipeline, StringComparison.Ordinal);
        Assert.EndsWith("appsink drop=true max-buffers=1 sync=false", pipeline, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("csi:", "source 'csi:' names no sensor id: expected csi:<N>, for example csi:0")]
    [InlineData("usb-gst:", "source 'usb-gst:' names no device: expected usb-gst:<index or /dev/videoN>")]
    [InlineData("csi:8", "source 'csi:8' has an invalid sensor id '8': expected csi:N with N from 0 to 7")]
    [InlineData("csi:front", "source 'csi:front' has an invalid sensor id 'front': expected csi:N with N from 0 to 7")]
    [InlineData("csi:0?width=20", "source option 'width=20' in 'csi:0?width=20' is invalid: expected an integer from 32 to 8192")]
    [InlineData("csi:0?height=10000", "source option 'height=10000' in 'csi:0?height=10000' is invalid: expected an integer from 32 to 8192")]
    [InlineData("csi:0?fps=0", "source option 'fps=0' in 'csi:0?fps=0' is invalid: expected an integer from 1 to 240")]
    [InlineData("csi:0?fps=29.97", "source option 'fps=29.97' in 'csi:0?fps=29.97' is invalid: expected an integer from 1 to 240")]
    [InlineData("csi:0?flip=9", "source option 'flip=9' in 'csi:0?flip=9' is invalid: expected an integer from 0 to 7")]
    [InlineData("csi:0?decoder=hw", "source option 'decoder' is not known for csi sources: expected one of flip, fps, height, width")]
    [InlineData("usb-gst:/dev/video0?decoder=vaapi", "source option 'decoder=vaapi' in 'usb-gst:/dev/video0?decoder=vaapi' is invalid: expected hw (nvv4l2decoder) or software (jpegdec)")]
    [InlineData("usb-gst:/dev/video0?flip=1", "source option 'flip' is not known for usb-gst sources: expected one of decoder, fps, height, width")]
    [InlineData("usb-gst:video0", "source 'usb-gst:video0' has an invalid device 'video0': expected usb-gst:/dev/videoN or usb-gst:N with N from 0 to 63")]
    [InlineData("usb-gst:64", "source 'usb-gst:64' has an invalid device '64': expected usb-gst:/dev/videoN or usb-gst:N with N from 0 to 63")]
    public void Create_BadPreset_FailsWithOneLineNamingTheProblem(string text, string expected)
    {
        var error = Assert.Throws<FrameSourceException>(() => FrameSources.Create(text));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Schemes_ListTheJetsonPresets()
    {
        Assert.Contains("csi:", SourceSpec.Schemes);
        Assert.Contains("usb-gst:", SourceSpec.Schemes);
    }
}
