using System.Collections.Concurrent;
using System.Diagnostics;
using Edge.Camera.Capture;
using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Testing.Rtsp;
using Microsoft.Extensions.Logging;

namespace Edge.Camera.Tests;

/// <summary>rtsp:// sources against a real RTSP server (GStreamer's) on loopback, serving H.264 320x240.</summary>
public sealed class RtspStreamTests
{
    private const string User = "viewer";
    private const string Password = "S3cr:et@42";

    [Fact]
    public void Read_RealRtspServer_DeliversDecodedFrames()
    {
        using var server = new RtspTestServer().Start();
        using var source = FrameSources.Create(server.Url);
        var frame = new Frame(1, 1);

        source.Open();
        var first = new byte[320 * 240 * 3];
        Assert.Equal(FrameReadResult.Frame, source.Read(frame));
        frame.PixelSpan.CopyTo(first);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(FrameReadResult.Frame, source.Read(frame));
        }

        Assert.Equal((320, 240), (frame.Width, frame.Height));
        Assert.False(frame.PixelSpan.SequenceEqual(first), "the test pattern's ball moves: ten frames later the image must differ");
        Assert.Contains(frame.PixelSpan.ToArray(), value => value > 200);
    }

    [Fact]
    public void Read_ServerWithCredentialsInTheUrl_DeliversFramesAndMasksThePassword()
    {
        using var server = new RtspTestServer(User, Password).Start();
        using var source = FrameSources.Create(server.Url);

        source.Open();

        Assert.Equal(FrameReadResult.Frame, source.Read(new Frame(1, 1)));
        Assert.Equal($"rtsp://{User}:***@127.0.0.1:{server.Port}/test", source.Description);
    }

    [Fact]
    public void Open_WrongPassword_Says401AndNeverShowsThePassword()
    {
        using var server = new RtspTestServer(User, Password).Start();
        using var source = FrameSources.Create($"rtsp://{User}:wrong-pass@127.0.0.1:{server.Port}/test");

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Equal(
            $"cannot open stream rtsp://{User}:***@127.0.0.1:{server.Port}/test: 401 unauthorized: the server refused the user name and password (give them as rtsp://user:password@host/path)",
            error.Message);
    }

    [Fact]
    public void Open_NoCredentialsForAProtectedStream_Says401()
    {
        using var server = new RtspTestServer(User, Password).Start();
        using var source = FrameSources.Create($"rtsp://127.0.0.1:{server.Port}/test");

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Contains(": 401 unauthorized:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_PathTheServerDoesNotHave_Says404()
    {
        using var server = new RtspTestServer().Start();
        using var source = FrameSources.Create($"rtsp://127.0.0.1:{server.Port}/nothing-here");

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Equal($"cannot open stream rtsp://127.0.0.1:{server.Port}/nothing-here: 404 not found: the server has no stream at that path", error.Message);
    }

    [Fact]
    public void Open_ServerThatAcceptsButNeverAnswers_SaysSoWithinTheOpenTimeout()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        using var source = FrameSources.Create($"rtsp://127.0.0.1:{port}/test");
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Equal(
            $"cannot open stream rtsp://127.0.0.1:{port}/test: the server accepts connections but sent no decodable video within 5 s (check the path, and that the stream has a video track)",
            error.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 4.5, 12);
    }

    [Fact]
    public void Read_AfterTheReaderStalled_ResumesWithTheNewestFrameAndNoBacklog()
    {
        using var server = new RtspTestServer(fps: 15).Start();
        using var source = FrameSources.Create(server.Url);
        var frame = new Frame(1, 1);
        source.Open();
        Assert.Equal(FrameReadResult.Frame, source.Read(frame));

        // Two seconds without reading: 30 frames arrive meanwhile. Were any of them queued, the next reads would return
        // them at once; with only the newest kept, the reads after the first wait for new frames at the camera's rate.
        Thread.Sleep(TimeSpan.FromSeconds(2));
        Assert.Equal(FrameReadResult.Frame, source.Read(frame));
        var clock = Stopwatch.StartNew();
        const int reads = 10;
        for (var i = 0; i < reads; i++)
        {
            Assert.Equal(FrameReadResult.Frame, source.Read(frame));
        }

        var atCameraRate = TimeSpan.FromSeconds(reads / (double)server.Fps);
        Assert.True(clock.Elapsed >= atCameraRate * 0.6, $"{reads} reads after a stall took {clock.Elapsed.TotalMilliseconds:0} ms: expected about {atCameraRate.TotalMilliseconds:0} ms (a backlog returns at once)");
    }

    [Fact]
    public async Task Read_AfterTheNetworkStalled_DropsTheStaleBurst()
    {
        using var server = new RtspTestServer(fps: 15).Start();
        using var source = FrameSources.Create(server.Url);
        var frame = new Frame(1, 1);
        source.Open();
        for (var i = 0; i < 15; i++)
        {
            Assert.Equal(FrameReadResult.Frame, source.Read(frame));
        }

        // Frozen for 3 s, the server then sends the 45 frames it made meanwhile at once. Read as they come, they would
        // be up to 3 s old while looking fresh; only frames at most 250 ms late may reach the reader.
        server.Pause();
        var reads = Task.Run(() =>
        {
            var times = new List<TimeSpan>();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(5) && source.Read(frame) == FrameReadResult.Frame)
            {
                times.Add(clock.Elapsed);
            }

            return times;
        });
        await Task.Delay(TimeSpan.FromSeconds(3));
        server.Resume();
        var times = await reads;

        Assert.NotEmpty(times);
        var firstSecond = times.Count(t => t - times[0] < TimeSpan.FromSeconds(1));
        Assert.True(firstSecond <= 2 * server.Fps, $"{firstSecond} frames read in the first second after the stall: expected about {server.Fps} (the camera's rate), not the burst");
    }

    [Fact]
    public void CaptureLoop_ServerKilledForTenSecondsAndRestarted_ReconnectsCountsAndGoesOn()
    {
        using var server = new RtspTestServer(User, Password).Start();
        var logger = new LineLogger();
        var slot = new FrameSlot(() => new Frame(1, 1));
        var changes = new ConcurrentQueue<bool>();
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(250), MaxDelay = TimeSpan.FromSeconds(2) };
        using var capture = new CaptureLoop(FrameSources.Create(server.Url), slot, TimeProvider.System, logger, policy)
        {
            ConnectionChanged = changes.Enqueue,
        };

        capture.Start();
        Eventually(() => capture.FramesCaptured >= 10, "the first frames");
        server.Kill();
        Eventually(() => !capture.IsConnected, "the loss to be noticed", TimeSpan.FromSeconds(15));
        Thread.Sleep(TimeSpan.FromSeconds(10));
        var beforeRestart = capture.FramesCaptured;
        server.Start();
        Eventually(() => capture.FramesCaptured >= beforeRestart + 10, "frames after the restart", TimeSpan.FromSeconds(20));
        capture.Stop();

        Assert.True(capture.Reconnects >= 1, $"reconnects {capture.Reconnects}");
        Assert.True(capture.ReadFailures >= 1, $"read failures {capture.ReadFailures}");
        Assert.Null(capture.Fault);
        Assert.Equal([false, true], changes.Take(2));
        var masked = $"rtsp://{User}:***@127.0.0.1:{server.Port}/test";
        var lost = Assert.Single(logger.Lines, line => line.StartsWith($"camera lost: {masked}", StringComparison.Ordinal));
        Assert.DoesNotContain("(no frame)", lost, StringComparison.Ordinal);
        Assert.Contains(logger.Lines, line => line.StartsWith($"camera recovered: {masked}", StringComparison.Ordinal));
        Assert.All(logger.Lines, line => Assert.DoesNotContain("S3cr", line, StringComparison.Ordinal));
    }

    [Fact]
    public void CaptureLoop_SteadyStream_AllocatesNothingPerFrame()
    {
        using var server = new RtspTestServer(fps: 30).Start();
        var slot = new FrameSlot(() => new Frame(1, 1));
        using var capture = new CaptureLoop(FrameSources.Create(server.Url), slot, TimeProvider.System, new LineLogger());

        capture.Start();
        // Warm-up: the first frames size the frame buffers and JIT the capture loop's own paths.
        Eventually(() => capture.FramesCaptured >= 90, "warm-up frames");
        var warmedUp = capture.CaptureThreadAllocatedBytes;
        var framesAtWarmUp = capture.FramesCaptured;
        Eventually(() => capture.FramesCaptured >= framesAtWarmUp + 90, "90 more frames");
        var allocated = capture.CaptureThreadAllocatedBytes - warmedUp;
        var frames = capture.FramesCaptured - framesAtWarmUp;
        capture.Stop();

        Assert.True(allocated == 0, $"the capture thread allocated {allocated} bytes over {frames} frames");
    }

    [Fact]
    public void Read_CameraWithAnAudioTrackFirst_DeliversItsVideo()
    {
        using var server = new RtspTestServer(options: "--audio").Start();
        using var source = FrameSources.Create(server.Url);
        var frame = new Frame(1, 1);

        source.Open();
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(FrameReadResult.Frame, source.Read(frame));
        }

        Assert.Equal((320, 240), (frame.Width, frame.Height));
    }

    [Fact]
    public void Open_StreamWithoutVideo_SaysItHasNoVideoTrack()
    {
        using var server = new RtspTestServer(options: "--audio-only").Start();
        using var source = FrameSources.Create(server.Url);

        var error = Assert.Throws<FrameSourceException>(source.Open);

        Assert.Equal($"cannot open stream {server.Url}: no video track: the stream offers only tracks that are not video (audio or data)", error.Message);
    }

    [Fact]
    public void Read_WidthWhoseRowsArePadded_CopiesRowsWithoutTheirPadding()
    {
        // 322 BGR pixels are 966 bytes, which GStreamer pads to 968 per row.
        using var server = new RtspTestServer(options: ["--size", "322x242", "--pattern", "smpte"]).Start();
        using var source = FrameSources.Create(server.Url);
        var frame = new Frame(1, 1);

        source.Open();
        Assert.Equal(FrameReadResult.Frame, source.Read(frame));

        Assert.Equal((322, 242), (frame.Width, frame.Height));
        // SMPTE bars are vertical, so rows 10 and 100 (both in the upper band) are alike; copied with a 966-byte stride
        // instead of 968, row 100 would be sheared 180 bytes against row 10.
        var rowBytes = 322 * 3;
        var row10 = frame.PixelSpan.Slice(10 * rowBytes, rowBytes);
        var row100 = frame.PixelSpan.Slice(100 * rowBytes, rowBytes);
        var difference = 0.0;
        for (var i = 0; i < rowBytes; i++)
        {
            difference += Math.Abs(row10[i] - row100[i]);
        }

        Assert.True(difference / rowBytes < 8, $"rows 10 and 100 differ by {difference / rowBytes:0.0} per byte on average");
    }

    private static void Eventually(Func<bool> condition, string what, TimeSpan? patience = null) =>
        Assert.True(SpinWait.SpinUntil(condition, patience ?? TimeSpan.FromSeconds(15)), $"timed out waiting for {what}");

    private sealed class LineLogger : ILogger
    {
        private readonly ConcurrentQueue<string> lines = new();

        public IReadOnlyCollection<string> Lines => lines;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception) + (exception is null ? string.Empty : " " + exception.Message));
    }
}
