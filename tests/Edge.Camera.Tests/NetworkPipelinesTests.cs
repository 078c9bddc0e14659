using Edge.Camera.Sources.Network;

namespace Edge.Camera.Tests;

public sealed class NetworkPipelinesTests
{
    [Fact]
    public void Describe_Rtsp_TcpNoLatencyVideoOnlyNewestFrame()
    {
        Assert.Equal(
            "rtspsrc name=source protocols=tcp latency=0 ! application/x-rtp,media=video ! decodebin ! videoconvert ! video/x-raw,format=BGR ! appsink name=sink drop=true max-buffers=1 sync=false enable-last-sample=false",
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
    public void Describe_Http_SplitsTheMultipartMjpegStream()
    {
        Assert.StartsWith("souphttpsrc name=source is-live=true ! multipartdemux ! decodebin ! videoconvert", NetworkPipelines.Describe("http", nvidiaConverter: false), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rtsp")]
    [InlineData("http")]
    public void Describe_AnyScheme_NamesNoLocationOrCredentials(string scheme)
    {
        var pipeline = NetworkPipelines.Describe(scheme, nvidiaConverter: false);

        Assert.DoesNotContain("location", pipeline, StringComparison.Ordinal);
        Assert.DoesNotContain("user", pipeline, StringComparison.Ordinal);
    }
}
