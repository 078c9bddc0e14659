using Edge.Camera.Sources;

namespace Edge.Camera.Tests;

public sealed class SourceSpecTests
{
    [Fact]
    public void Parse_V4l2IndexWithOptions_SplitsTargetAndOptions()
    {
        var spec = SourceSpec.Parse("V4L2:0?width=640&height=480&fourcc=MJPG");

        Assert.Equal("v4l2", spec.Scheme);
        Assert.Equal("0", spec.Target);
        Assert.Equal(640, spec.GetInt("width", 0, 0, 10000));
        Assert.Equal(480, spec.GetInt("height", 0, 0, 10000));
        Assert.Equal("MJPG", spec.GetString("fourcc"));
        spec.RejectUnknownOptions();
    }

    [Fact]
    public void Parse_V4l2DevicePath_KeepsPath()
    {
        var spec = SourceSpec.Parse("v4l2:/dev/video2");

        Assert.Equal("v4l2", spec.Scheme);
        Assert.Equal("/dev/video2", spec.Target);
    }

    [Fact]
    public void Parse_FileWithBoolOptions_ReadsThem()
    {
        var spec = SourceSpec.Parse("file:/data/clip.mp4?loop=true&realtime=no");

        Assert.Equal("file", spec.Scheme);
        Assert.Equal("/data/clip.mp4", spec.Target);
        Assert.True(spec.GetBool("loop", false));
        Assert.False(spec.GetBool("realtime", true));
    }

    [Fact]
    public void Parse_ImagesWithFps_ReadsDouble()
    {
        var spec = SourceSpec.Parse("images:scenes/test?fps=12.5");

        Assert.Equal("images", spec.Scheme);
        Assert.Equal("scenes/test", spec.Target);
        Assert.Equal(12.5, spec.GetDouble("fps", 0, 0, 1000));
    }

    [Theory]
    [InlineData("synthetic")]
    [InlineData("synthetic:")]
    [InlineData("SYNTHETIC")]
    public void Parse_SyntheticWithoutOptions_HasEmptyTarget(string text)
    {
        var spec = SourceSpec.Parse(text);

        Assert.Equal("synthetic", spec.Scheme);
        Assert.Equal(string.Empty, spec.Target);
        Assert.Equal(1, spec.GetInt("seed", 1, 0, 100));
    }

    [Fact]
    public void Parse_SyntheticWithQuery_ReadsOptions()
    {
        var spec = SourceSpec.Parse("synthetic?seed=7&split=test");

        Assert.Equal("synthetic", spec.Scheme);
        Assert.Equal(7, spec.GetInt("seed", 1, 0, 100));
        Assert.Equal("test", spec.GetString("split"));
    }

    [Fact]
    public void Parse_RtspUrl_TakenWholeWithoutOptions()
    {
        const string url = "rtsp://admin:secret@10.0.0.5:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1";

        var spec = SourceSpec.Parse(url);

        Assert.Equal("rtsp", spec.Scheme);
        Assert.Equal(url, spec.Target);
        Assert.Null(spec.GetString("transportmode"));
        spec.RejectUnknownOptions();
    }

    [Fact]
    public void Parse_GstPipeline_TakenWhole()
    {
        const string pipeline = "nvarguscamerasrc ! video/x-raw(memory:NVMM),width=1280,height=720 ! nvvidconv ! video/x-raw,format=BGRx ! videoconvert ! appsink drop=true?x=1";

        var spec = SourceSpec.Parse("gst:" + pipeline);

        Assert.Equal("gst", spec.Scheme);
        Assert.Equal(pipeline, spec.Target);
        spec.RejectUnknownOptions();
    }

    [Theory]
    [InlineData("http://camera/stream")]
    [InlineData("webcam")]
    [InlineData("usb:0")]
    public void Parse_UnknownScheme_NamesTextAndKnownSchemes(string text)
    {
        var error = Assert.Throws<FrameSourceException>(() => SourceSpec.Parse(text));

        Assert.Contains($"unknown source '{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("v4l2:", error.Message, StringComparison.Ordinal);
        Assert.Contains("rtsp://", error.Message, StringComparison.Ordinal);
        Assert.Contains("synthetic", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file:", "path")]
    [InlineData("images:", "path")]
    [InlineData("v4l2:", "device")]
    [InlineData("file:?loop=true", "path")]
    [InlineData("gst:", "pipeline")]
    [InlineData("gst:   ", "pipeline")]
    public void Parse_EmptyTarget_SaysWhatIsMissing(string text, string missing)
    {
        var error = Assert.Throws<FrameSourceException>(() => SourceSpec.Parse(text));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("synthetic?seed=abc")]
    [InlineData("synthetic?seed=-1")]
    [InlineData("synthetic?seed=1.5")]
    public void GetInt_BadValue_NamesOptionAndRange(string text)
    {
        var spec = SourceSpec.Parse(text);

        var error = Assert.Throws<FrameSourceException>(() => spec.GetInt("seed", 1, 0, 100));

        Assert.Contains("'seed=", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected an integer from 0 to 100", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("images:x?fps=fast")]
    [InlineData("images:x?fps=NaN")]
    [InlineData("images:x?fps=5000")]
    public void GetDouble_BadValue_NamesOptionAndRange(string text)
    {
        var spec = SourceSpec.Parse(text);

        var error = Assert.Throws<FrameSourceException>(() => spec.GetDouble("fps", 0, 0, 1000));

        Assert.Contains("'fps=", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected a number from 0 to 1000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetBool_BadValue_ExpectsTrueOrFalse()
    {
        var spec = SourceSpec.Parse("file:a.mp4?loop=maybe");

        var error = Assert.Throws<FrameSourceException>(() => spec.GetBool("loop", false));

        Assert.Contains("'loop=maybe'", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected true or false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetBool_BareKey_IsTrue()
    {
        var spec = SourceSpec.Parse("file:a.mp4?loop");

        Assert.True(spec.GetBool("loop", false));
    }

    [Fact]
    public void GetString_EscapedValue_IsUnescaped()
    {
        var spec = SourceSpec.Parse("synthetic?split=te%73t");

        Assert.Equal("test", spec.GetString("split"));
    }

    [Fact]
    public void RejectUnknownOptions_MisspeltOption_NamesItAndTheKnownOnes()
    {
        var spec = SourceSpec.Parse("file:a.mp4?lop=true");
        spec.GetBool("loop", false);
        spec.GetBool("realtime", true);

        var error = Assert.Throws<FrameSourceException>(spec.RejectUnknownOptions);

        Assert.Contains("'lop'", error.Message, StringComparison.Ordinal);
        Assert.Contains("loop, realtime", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("synthetic?sede=3", "sede")]
    [InlineData("file:clip.mp4?lop=true", "lop")]
    [InlineData("images:frames?fsp=3", "fsp")]
    [InlineData("v4l2:0?widht=640", "widht")]
    public void Create_UnknownOption_IsRejected(string text, string option)
    {
        var error = Assert.Throws<FrameSourceException>(() => FrameSources.Create(text));

        Assert.Contains($"'{option}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RepeatedOption_IsRejected()
    {
        var error = Assert.Throws<FrameSourceException>(() => SourceSpec.Parse("file:a.mp4?loop=true&loop=false"));

        Assert.Contains("repeated option 'loop'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownScheme_ThrowsFrameSourceException()
    {
        var error = Assert.Throws<FrameSourceException>(() => FrameSources.Create("camera0"));

        Assert.Contains("unknown source 'camera0'", error.Message, StringComparison.Ordinal);
    }
}
