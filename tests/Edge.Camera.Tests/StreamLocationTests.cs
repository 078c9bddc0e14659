using Edge.Camera.Sources;
using Edge.Camera.Sources.Network;

namespace Edge.Camera.Tests;

public sealed class StreamLocationTests
{
    [Theory]
    [InlineData("rtsp://admin:p@ss@10.0.0.5/stream", "rtsp://10.0.0.5/stream", "admin", "p@ss")]
    [InlineData("rtsp://admin:S3cr%3Aet%40%2F@10.0.0.5:8554/a/b?x=1", "rtsp://10.0.0.5:8554/a/b?x=1", "admin", "S3cr:et@/")]
    [InlineData("rtsps://viewer@cam.local/live", "rtsps://cam.local/live", "viewer", null)]
    [InlineData("rtsp://10.0.0.5/live@main", "rtsp://10.0.0.5/live@main", null, null)]
    public void Parse_UrlWithOrWithoutCredentials_SplitsThemOutDecoded(string url, string location, string? user, string? password)
    {
        var parsed = StreamLocation.Parse(url);

        Assert.Equal(location, parsed.WithoutCredentials);
        Assert.Equal(user, parsed.User);
        Assert.Equal(password, parsed.Password);
        Assert.Equal(SourceSpec.MaskCredentials(url), parsed.Masked);
    }

    [Theory]
    [InlineData("rtsp://cam/x", "cam", 554)]
    [InlineData("rtsps://cam/x", "cam", 322)]
    [InlineData("rtsp://u:p@cam:8554/x", "cam", 8554)]
    public void Endpoint_WithOrWithoutPort_IsTheSchemesDefault(string url, string host, int port)
    {
        Assert.Equal((host, port), StreamLocation.Parse(url).Endpoint);
    }

    [Fact]
    public void Parse_CredentialsButNoHost_IsRefusedWithoutThePassword()
    {
        var error = Assert.Throws<FrameSourceException>(() => StreamLocation.Parse("rtsp://admin:hunter2@/stream"));

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.Contains("names no host", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rtsp://admin:hunter2@cam:99999/stream")]
    [InlineData("rtsp://cam:port/stream")]
    public void Parse_UrlWithAnImpossiblePort_IsRefusedAsASourceErrorWithoutThePassword(string url)
    {
        var error = Assert.Throws<FrameSourceException>(() => StreamLocation.Parse(url));

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not a valid URL", error.Message, StringComparison.Ordinal);
    }
}
