using Edge.Camera.Sources.OpenCv;

namespace Edge.Camera.Tests;

public sealed class OpenCvInfoTests
{
    private const string BuildInformation = """

        General configuration for OpenCV 4.10.0 =====================================
          Video I/O:
            DC1394:                      NO
            FFMPEG:                      YES
              avcodec:                   YES (58.134.100)
            GStreamer:                   YES (1.20.3)
            v4l/v4l2:                    YES (linux/videodev2.h)

          Parallel framework:            TBB (ver 2021.5 interface 12050)
            GStreamer:                   NO
        """;

    [Fact]
    public void TryLoad_OfficialLinuxRuntime_HasFfmpegAndV4l2ButNoGStreamer()
    {
        var info = OpenCvInfo.TryLoad(out var reason);

        Assert.NotNull(info);
        Assert.Null(reason);
        Assert.StartsWith("4.", info.Version, StringComparison.Ordinal);
        Assert.True(info.HasFfmpeg);
        Assert.True(info.HasV4l2);
        Assert.False(info.HasGStreamer);
        Assert.Same(info, OpenCvInfo.TryLoad());
    }

    [Fact]
    public void Parse_JetPackStyleBuild_ReadsOnlyTheVideoIoSection()
    {
        var info = OpenCvInfo.Parse("4.10.0", BuildInformation);

        Assert.Equal("4.10.0", info.Version);
        Assert.True(info.HasGStreamer);
        Assert.True(info.HasFfmpeg);
        Assert.True(info.HasV4l2);
        Assert.Equal("NO", info.VideoIo["DC1394"]);
        Assert.Equal("YES (1.20.3)", info.VideoIo["GStreamer"]);
    }

    [Fact]
    public void Parse_NoVideoIoSection_ReportsNothingAvailable()
    {
        var info = OpenCvInfo.Parse("4.0.0", "General configuration\n  Parallel framework: pthreads\n");

        Assert.False(info.HasGStreamer || info.HasFfmpeg || info.HasV4l2);
        Assert.Empty(info.VideoIo);
    }
}
