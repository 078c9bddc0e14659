using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Camera.Sources.Network;

namespace Edge.Camera.Tests;

public sealed class LiveSourceTests
{
    [Theory]
    [InlineData("v4l2:/dev/video99", "/dev/video99")]
    [InlineData("v4l2:99", "/dev/video99")]
    public void Open_MissingV4l2Device_ExplainsAndSuggestsTheDeviceList(string text, string device)
    {
        using var source = FrameSources.Create(text);

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.StartsWith($"cannot open camera {text}: {device} does not exist", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("expected a V4L2 device such as /dev/video0 (ls /dev/video*)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DeviceThatIsNoCamera_SaysItDidNotOpen()
    {
        using var source = FrameSources.Create("v4l2:/dev/null");

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Contains("cannot open camera v4l2:/dev/null: /dev/null exists but did not open", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v4l2:0?fourcc=MJPEG")]
    [InlineData("v4l2:0?fourcc=")]
    public void Create_FourccNotFourCharacters_IsRejected(string text)
    {
        var error = Assert.Throws<FrameSourceException>(() => FrameSources.Create(text));

        Assert.Contains("expected four characters such as MJPG or YUYV", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_V4l2WithAllOptions_Succeeds()
    {
        using var source = FrameSources.Create("v4l2:/dev/video0?width=1280&height=720&fps=30&fourcc=MJPG");

        Assert.Equal("v4l2:/dev/video0?width=1280&height=720&fps=30&fourcc=MJPG", source.Description);
        Assert.Null(source.PacingFps);
    }

    [Theory]
    [InlineData("rtsp://admin:secret@10.0.0.5:554/stream", "rtsp://admin:***@10.0.0.5:554/stream")]
    [InlineData("rtsp://admin:p@ss@10.0.0.5/stream?x=1", "rtsp://admin:***@10.0.0.5/stream?x=1")]
    [InlineData("rtsp://admin@10.0.0.5/stream", "rtsp://admin@10.0.0.5/stream")]
    [InlineData("rtsp://10.0.0.5/live@main", "rtsp://10.0.0.5/live@main")]
    [InlineData("rtsp://u:pw@host", "rtsp://u:***@host")]
    public void Redact_RtspUrl_MasksOnlyThePassword(string url, string expected)
    {
        Assert.Equal(expected, SourceSpec.MaskCredentials(url));
    }

    [Fact]
    public void Create_RtspWithCredentials_DescriptionHidesThePassword()
    {
        using var source = FrameSources.Create("rtsp://viewer:hunter2@192.0.2.10:554/h264");

        Assert.Equal("rtsp://viewer:***@192.0.2.10:554/h264", source.Description);
        Assert.Null(source.PacingFps);
    }

    /// <summary>A loopback port with nobody listening on it.</summary>
    internal static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public void Open_RtspNobodyListens_FailsClearlyAndQuickly()
    {
        var port = ClosedPort();
        using var source = FrameSources.Create($"rtsp://user:pw@127.0.0.1:{port}/stream");
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Equal($"cannot open stream rtsp://user:***@127.0.0.1:{port}/stream: connection refused: nothing listens on that host and port", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(NetworkStreamSource.OpenTimeout.TotalSeconds + 5), $"took {clock.Elapsed}");
        Assert.Equal(FrameReadResult.Failed, source.Read(new Frame(1, 1)));
    }

    [Fact]
    public void Open_GstOnOfficialLinuxRuntime_SaysGStreamerIsMissingAndWhereToRead()
    {
        using var source = FrameSources.Create("gst:videotestsrc ! videoconvert ! appsink");

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Equal(
            "this OpenCV build has no GStreamer support (gst:, csi: and usb-gst: sources need it): on Jetson build OpenCvSharpExtern against JetPack's OpenCV, see docs/sources.md",
            error.Message);
    }
}
