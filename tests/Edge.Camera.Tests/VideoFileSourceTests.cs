using Edge.Camera.Frames;
using Edge.Camera.Sources;
using OpenCvSharp;

namespace Edge.Camera.Tests;

/// <summary>A real MJPG/AVI video written by OpenCV's VideoWriter: frame i has a colour that encodes i on its left
/// half and pure red on its right half (so a channel-order mistake shows).</summary>
public sealed class RecordedVideo : IDisposable
{
    public const int Frames = 30;
    public const int Width = 64;
    public const int Height = 48;
    public const double Fps = 30;

    private readonly TemporaryFolder folder = new();

    public RecordedVideo()
    {
        Path = System.IO.Path.Combine(folder.Path, "colours.avi");
        using var writer = new VideoWriter(Path, FourCC.MJPG, Fps, new Size(Width, Height));
        if (!writer.IsOpened())
        {
            throw new InvalidOperationException("OpenCV's VideoWriter could not create an MJPG AVI file");
        }

        using var image = new Mat(Height, Width, MatType.CV_8UC3);
        for (var i = 0; i < Frames; i++)
        {
            var (b, g, r) = LeftColour(i);
            image.SetTo(new Scalar(0, 0, 255));
            using (var left = image[new Rect(0, 0, Width / 2, Height)])
            {
                left.SetTo(new Scalar(b, g, r));
            }

            writer.Write(image);
        }
    }

    public string Path { get; }

    public static (int B, int G, int R) LeftColour(int index) => (index * 8, 255 - (index * 8), 60);

    public void Dispose() => folder.Dispose();
}

public sealed class VideoFileSourceTests(RecordedVideo video) : IClassFixture<RecordedVideo>
{
    private const int Tolerance = 12;

    private static void AssertPixel(Frame frame, int x, int y, (int B, int G, int R) expected, string what)
    {
        var offset = ((y * frame.Width) + x) * 3;
        var actual = (B: frame.Pixels[offset], G: frame.Pixels[offset + 1], R: frame.Pixels[offset + 2]);
        Assert.True(
            Math.Abs(actual.B - expected.B) <= Tolerance && Math.Abs(actual.G - expected.G) <= Tolerance && Math.Abs(actual.R - expected.R) <= Tolerance,
            $"{what}: BGR {actual} expected about {expected}");
    }

    private static void AssertFrameIndex(Frame frame, int index)
    {
        AssertPixel(frame, 8, 24, RecordedVideo.LeftColour(index), $"left of frame {index}");
        AssertPixel(frame, 56, 24, (0, 0, 255), $"right of frame {index}");
    }

    [Fact]
    public void Read_RecordedVideo_DecodesEveryFrameThenEndOfStream()
    {
        using var source = FrameSources.Create($"file:{video.Path}?realtime=false");
        var frame = new Frame(1, 1);
        frame.SetTruth([1, 2]);
        source.Open();

        for (var i = 0; i < RecordedVideo.Frames; i++)
        {
            Assert.Equal(FrameReadResult.Frame, source.Read(frame));
            Assert.Equal(RecordedVideo.Width, frame.Width);
            Assert.Equal(RecordedVideo.Height, frame.Height);
            Assert.False(frame.HasTruth);
            AssertFrameIndex(frame, i);
        }

        Assert.Equal(FrameReadResult.EndOfStream, source.Read(frame));
        Assert.Null(source.PacingFps);
    }

    [Fact]
    public void Read_AfterAnRtspOpen_StillDecodesTheLastFrame()
    {
        // The RTSP source's low-latency FFmpeg options (low_delay) drop a file's last frame if they leak past its open.
        using (var stream = FrameSources.Create($"rtsp://127.0.0.1:{LiveSourceTests.ClosedPort()}/stream"))
        {
            Assert.Throws<FrameSourceException>(stream.Open);
        }

        using var source = FrameSources.Create($"file:{video.Path}?realtime=false");
        var frame = new Frame(1, 1);
        source.Open();
        var frames = 0;
        while (source.Read(frame) == FrameReadResult.Frame)
        {
            frames++;
        }

        Assert.Equal(RecordedVideo.Frames, frames);
        AssertFrameIndex(frame, RecordedVideo.Frames - 1);
    }

    [Fact]
    public void Read_LoopTrue_WrapsToTheFirstFrame()
    {
        using var source = FrameSources.Create($"file:{video.Path}?loop=true&realtime=false");
        var frame = new Frame(1, 1);
        source.Open();

        for (var i = 0; i < RecordedVideo.Frames + 5; i++)
        {
            Assert.Equal(FrameReadResult.Frame, source.Read(frame));
            AssertFrameIndex(frame, i % RecordedVideo.Frames);
        }
    }

    [Fact]
    public void Open_RealtimeByDefault_PacesToTheFileFrameRate()
    {
        using var source = FrameSources.Create($"file:{video.Path}");

        source.Open();

        Assert.Equal(RecordedVideo.Fps, source.PacingFps);
    }

    [Fact]
    public void Read_SteadyState_AllocatesNothing()
    {
        using var source = FrameSources.Create($"file:{video.Path}?loop=true&realtime=false");
        var frame = new Frame(1, 1);
        source.Open();
        for (var i = 0; i < 70; i++)
        {
            source.Read(frame);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 60; i++)
        {
            source.Read(frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Open_MissingFile_NamesThePath()
    {
        var missing = Path.Combine(Path.GetTempPath(), "edge-no-such-video.mp4");
        using var source = FrameSources.Create($"file:{missing}");

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Contains($"video file not found: {missing}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_FileThatIsNoVideo_SaysItIsNoVideoContainer()
    {
        using var folder = new TemporaryFolder();
        var path = Path.Combine(folder.Path, "notes.mp4");
        File.WriteAllText(path, "this is not a video, just some text that happens to end in .mp4\n");
        using var source = FrameSources.Create($"file:{path}");

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Equal($"cannot open video file {path}: it is not a video container this runtime recognises (it starts with bytes 7468697320697320): expected a video file such as .mp4, .mkv or .avi", error.Message);
    }

    [Fact]
    public void Read_BeforeOpen_ReportsFailed()
    {
        using var source = FrameSources.Create($"file:{video.Path}");

        Assert.Equal(FrameReadResult.Failed, source.Read(new Frame(1, 1)));
    }

    [Fact]
    public void Open_AfterClose_StartsAgainFromTheFirstFrame()
    {
        using var source = FrameSources.Create($"file:{video.Path}?realtime=false");
        var frame = new Frame(1, 1);
        source.Open();
        for (var i = 0; i < 10; i++)
        {
            source.Read(frame);
        }

        source.Close();
        source.Open();

        Assert.Equal(FrameReadResult.Frame, source.Read(frame));
        AssertFrameIndex(frame, 0);
    }
}

public sealed class VideoCaptureLoopTests(RecordedVideo video) : IClassFixture<RecordedVideo>
{
    [Fact]
    public void Run_RecordedVideoWithReaderRacing_AccountsForEveryFrame()
    {
        var slot = new FrameSlot(() => new Frame(1, 1));
        using var loop = new Capture.CaptureLoop(
            FrameSources.Create($"file:{video.Path}?realtime=false"),
            slot,
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var sequences = new List<long>();

        loop.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (slot.Take(timeout.Token) is { } frame)
        {
            Assert.Equal(RecordedVideo.Width, frame.Width);
            sequences.Add(frame.Sequence);
        }

        Assert.False(timeout.IsCancellationRequested);
        Assert.Null(loop.Fault);
        Assert.Equal(RecordedVideo.Frames, loop.FramesCaptured);
        Assert.Equal(RecordedVideo.Frames, sequences[^1]);
        Assert.Equal(RecordedVideo.Frames, sequences.Count + slot.Overwritten);
        Assert.Equal(sequences.Order(), sequences);
    }
}
