using Edge.Camera.Sources.Network;

namespace Edge.Camera.Tests;

public sealed class NetworkPipelinesTests
{
    [Fact]
    public void Describe_Rtsp_TcpNoLatencyVideoOnlyNewestFrameNoStaleFrames()
    {
        Assert.Equal(
            "rtspsrc name=source protocols=tcp latency=0 ! application/x-rtp,media=video ! decodebin ! videoconvert ! video/x-raw,format=BGR ! appsink name=sink drop=true max-buffers=1 sync=true max-lateness=250000000 enable-last-sample=false",
            NetworkPipelines.Describe("rtsp", nvidiaConverter: false));
    }

    [Fact]
    public void Describe_RtspWithNvvidconv_CopiesJetsonDecoderFramesOutOfNvmm()
    {
        Assert.Contains(
            "! decodebin ! nvvidconv ! video/x-raw,format=BGRx ! videoconvert ! video/x-raw,format=BGR ! appsink",
            NetworkPipelines.Describe("rtsp", nvidiaConverter: true),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_Rtsp_NamesNoLocationOrCredentials()
    {
        var pipeline = NetworkPipelines.Describe("rtsp", nvidiaConverter: false);

        Assert.DoesNotContain("location", pipeline, StringComparison.Ordinal);
        Assert.DoesNotContain("user", pipeline, StringComparison.Ordinal);
    }
}
