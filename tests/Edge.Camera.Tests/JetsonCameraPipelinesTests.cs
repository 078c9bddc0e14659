using Edge.Camera.Sources.OpenCv;

namespace Edge.Camera.Tests;

public sealed class JetsonCameraPipelinesTests
{
    private const string Sink = "videoconvert ! video/x-raw,format=BGR ! appsink drop=true max-buffers=1 sync=false";

    [Fact]
    public void Csi_Defaults_Sensor0At720p30WithoutFlip()
    {
        Assert.Equal(
            "nvarguscamerasrc sensor-id=0 ! video/x-raw(memory:NVMM),width=1280,height=720,framerate=30/1,format=NV12 ! "
            + "nvvidconv flip-method=0 ! video/x-raw,format=BGRx ! " + Sink,
            JetsonCameraPipelines.Csi());
    }

    [Fact]
    public void Csi_GivenParameters_AppearInPipeline()
    {
        Assert.Equal(
            "nvarguscamerasrc sensor-id=1 ! video/x-raw(memory:NVMM),width=1920,height=1080,framerate=60/1,format=NV12 ! "
            + "nvvidconv flip-method=2 ! video/x-raw,format=BGRx ! " + Sink,
            JetsonCameraPipelines.Csi(sensorId: 1, width: 1920, height: 1080, fps: 60, flipMethod: 2));
    }

    [Fact]
    public void Usb_Defaults_HardwareJpegDecodeOfVideo0()
    {
        Assert.Equal(
            "v4l2src device=/dev/video0 ! image/jpeg,width=1280,height=720,framerate=30/1 ! "
            + "nvv4l2decoder mjpeg=1 ! nvvidconv ! video/x-raw,format=BGRx ! " + Sink,
            JetsonCameraPipelines.Usb());
    }

    [Fact]
    public void Usb_SoftwareDecoder_UsesJpegdec()
    {
        Assert.Equal(
            "v4l2src device=/dev/video2 ! image/jpeg,width=640,height=480,framerate=15/1 ! jpegdec ! " + Sink,
            JetsonCameraPipelines.Usb("/dev/video2", 640, 480, 15, JetsonJpegDecoder.Software));
    }

    [Theory]
    [InlineData(-1, 1280, 720, 30, 0, "sensorId -1 is out of range: expected 0 to 7")]
    [InlineData(8, 1280, 720, 30, 0, "sensorId 8 is out of range: expected 0 to 7")]
    [InlineData(0, 31, 720, 30, 0, "width 31 is out of range: expected 32 to 8192")]
    [InlineData(0, 1280, 9000, 30, 0, "height 9000 is out of range: expected 32 to 8192")]
    [InlineData(0, 1280, 720, 0, 0, "fps 0 is out of range: expected 1 to 240")]
    [InlineData(0, 1280, 720, 30, 8, "flipMethod 8 is out of range: expected 0 to 7")]
    public void Csi_OutOfRange_NamesParameterAndRange(int sensorId, int width, int height, int fps, int flip, string expected)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => JetsonCameraPipelines.Csi(sensorId, width, height, fps, flip));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("video0")]
    [InlineData("/dev/video0 ! fakesink")]
    [InlineData("/dev/video\"0")]
    [InlineData("/")]
    public void Usb_DeviceThatWouldBreakThePipeline_IsRefused(string device)
    {
        var error = Assert.Throws<ArgumentException>(() => JetsonCameraPipelines.Usb(device));

        Assert.StartsWith($"device '{device}' is invalid: expected a path such as /dev/video0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Usb_FpsOutOfRange_NamesRange()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => JetsonCameraPipelines.Usb(fps: 241));

        Assert.StartsWith("fps 241 is out of range: expected 1 to 240", error.Message, StringComparison.Ordinal);
    }
}
