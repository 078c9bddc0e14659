using Edge.Camera.Capture;
using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Camera.Tests;

public sealed class TruncatedVideoTests(RecordedClips clips) : IClassFixture<RecordedClips>
{
    private static (long Frames, Exception? Error) ReadAll(IFrameSource source)
    {
        var frame = new Frame(1, 1);
        source.Open();
        long frames = 0;
        try
        {
            // Bounded, so a looping source that never reports its end fails the test instead of hanging it.
            while (frames < 10 * RecordedClips.Frames && source.Read(frame) == FrameReadResult.Frame)
            {
                frames++;
            }
        }
        catch (Exception exception)
        {
            return (frames, exception);
        }

        return (frames, null);
    }

    [Theory]
    [InlineData("avi")]
    [InlineData("mp4")]
    [InlineData("mkv")]
    public void Read_CompleteClip_EndsCleanlyAfterEveryFrame(string kind)
    {
        using var source = FrameSources.Create($"file:{Clip(kind)}?realtime=false");

        var (frames, error) = ReadAll(source);

        Assert.Null(error);
        Assert.Equal(RecordedClips.Frames, frames);
    }

    [Fact]
    public void Read_AviCutInHalf_ThrowsIncompleteNamingFramesReadAndDeclared()
    {
        var cut = clips.Cut(clips.Avi, 0.5);
        using var source = FrameSources.Create($"file:{cut}?realtime=false");

        var (frames, error) = ReadAll(source);

        var incomplete = Assert.IsType<IncompleteSourceException>(error);
        Assert.InRange(frames, 20, 40);
        Assert.StartsWith($"video file {cut} is truncated or corrupt: read {frames} of the {RecordedClips.Frames} frames its container declares; it is truncated: its RIFF header declares", incomplete.Message, StringComparison.Ordinal);
        Assert.EndsWith("every frame read was processed: expected a complete file (copy it again, or let the recorder finish)", incomplete.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MkvCutInHalf_ThrowsIncompleteNamingTheSegmentSize()
    {
        var cut = clips.Cut(clips.Mkv, 0.5);
        using var source = FrameSources.Create($"file:{cut}?realtime=false");

        var (frames, error) = ReadAll(source);

        var incomplete = Assert.IsType<IncompleteSourceException>(error);
        Assert.InRange(frames, 20, 40);
        Assert.Contains($"read {frames} frames; it is truncated: its Matroska segment declares", incomplete.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LoopingCutAvi_StopsAtTheEndOfTheFirstPass()
    {
        var cut = clips.Cut(clips.Avi, 0.5);
        using var source = FrameSources.Create($"file:{cut}?realtime=false&loop=true");

        var (frames, error) = ReadAll(source);

        Assert.IsType<IncompleteSourceException>(error);
        Assert.InRange(frames, 20, 40);
    }

    [Fact]
    public void Open_Mp4CutBeforeItsMoovAtom_SaysTheRecordingIsTruncatedOrUnfinished()
    {
        var cut = clips.Cut(clips.Mp4, 0.6);
        using var source = FrameSources.Create($"file:{cut}");

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.StartsWith($"cannot open video file {cut}: it has no 'moov' atom (the index an MP4/MOV recorder writes when it finishes): the file is truncated or the recording was never finished; its 'mdat' atom declares", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_EmptyFile_SaysItIsEmpty()
    {
        var empty = Path.Combine(clips.Folder, "empty.mp4");
        File.WriteAllBytes(empty, []);
        using var source = FrameSources.Create($"file:{empty}");

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Equal($"cannot open video file {empty}: it is empty (0 bytes): a recording that never wrote a frame, or a failed copy", error.Message);
    }

    [Fact]
    public void Open_AviWithoutAVideoStream_SaysFfmpegCannotDecodeIt()
    {
        var path = Path.Combine(clips.Folder, "hollow.avi");
        var body = new byte[256];
        new Random(3).NextBytes(body);
        var file = new List<byte>("RIFF"u8.ToArray());
        file.AddRange(BitConverter.GetBytes(4 + body.Length));
        file.AddRange("AVI "u8.ToArray());
        file.AddRange(body);
        File.WriteAllBytes(path, [.. file]);
        using var source = FrameSources.Create($"file:{path}");

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Equal($"cannot open video file {path}: FFmpeg cannot decode an AVI file (no video stream, an unsupported codec, or damaged inside): expected H.264, H.265, VP8/VP9, AV1, MPEG-4 or MJPEG video", error.Message);
    }

    [Fact]
    public void CaptureLoop_CutAvi_PublishesEveryFrameReadThenEndsIncompleteWithoutAFault()
    {
        var cut = clips.Cut(clips.Avi, 0.5);
        var slot = new FrameSlot(() => new Frame(1, 1), FrameHandoff.Lossless);
        using var loop = new CaptureLoop(FrameSources.Create($"file:{cut}?realtime=false"), slot, TimeProvider.System, NullLogger.Instance);
        loop.Start();
        var taken = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (slot.Take(timeout.Token) is not null)
        {
            taken++;
        }

        Assert.Null(loop.Fault);
        Assert.NotNull(loop.Incomplete);
        Assert.Equal(loop.FramesCaptured, taken);
        Assert.Contains($"read {taken} of the {RecordedClips.Frames} frames", loop.Incomplete.Message, StringComparison.Ordinal);
    }

    private string Clip(string kind) => kind switch
    {
        "avi" => clips.Avi,
        "mp4" => clips.Mp4,
        _ => clips.Mkv,
    };
}

public sealed class DamagedVideoHeaderTests(RecordedClips clips) : IClassFixture<RecordedClips>
{
    [Theory]
    [InlineData("avi")]
    [InlineData("mp4")]
    [InlineData("mkv")]
    public void Open_HeaderCutAtAnyLength_ThrowsFrameSourceExceptionOnly(string kind)
    {
        var whole = File.ReadAllBytes(kind switch { "avi" => clips.Avi, "mp4" => clips.Mp4, _ => clips.Mkv });
        var path = Path.Combine(clips.Folder, $"header-{kind}-{Guid.NewGuid():N}.{kind}");
        for (var length = 1; length < 96; length++)
        {
            File.WriteAllBytes(path, whole[..length]);
            using var source = FrameSources.Create($"file:{path}");

            var error = Record.Exception(source.Open);

            Assert.True(error is FrameSourceException, $"{kind} cut to {length} bytes: {error?.GetType().Name}: {error?.Message}");
        }
    }

    [Theory]
    [InlineData("avi")]
    [InlineData("mp4")]
    [InlineData("mkv")]
    public void Open_AnyHeaderByteInverted_OpensOrThrowsFrameSourceExceptionOnly(string kind)
    {
        var whole = File.ReadAllBytes(kind switch { "avi" => clips.Avi, "mp4" => clips.Mp4, _ => clips.Mkv });
        var path = Path.Combine(clips.Folder, $"flipped-{kind}-{Guid.NewGuid():N}.{kind}");
        for (var at = 0; at < 64; at++)
        {
            var damaged = (byte[])whole.Clone();
            damaged[at] ^= 0xFF;
            File.WriteAllBytes(path, damaged);
            using var source = FrameSources.Create($"file:{path}");

            var error = Record.Exception(source.Open);

            Assert.True(error is null or FrameSourceException, $"{kind} with byte {at} inverted: {error?.GetType().Name}: {error?.Message}");
        }
    }
}
