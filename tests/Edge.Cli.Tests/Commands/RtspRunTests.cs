using System.Text.Json;
using Edge.Testing.Rtsp;

namespace Edge.Cli.Tests.Commands;

/// <summary>The real app against a real RTSP server (GStreamer's, on loopback), as issue 11 item 15 tried it.</summary>
[Trait("Category", "App")]
public sealed class RtspRunTests
{
    private const string Password = "Pa55:w@rd";

    [Fact]
    public void Run_RtspCameraWithCredentials_PublishesFramesAndNeverPrintsThePassword()
    {
        using var server = new RtspTestServer("operator", Password).Start();
        var events = Path.Combine(Path.GetTempPath(), $"edge-rtsp-events-{Guid.NewGuid():N}.jsonl");
        try
        {
            var result = EdgeProcess.Run(TimeSpan.FromSeconds(90), "run", "--source", server.Url, "--frames", "5", "--budget-ms", "60000", "--events", events);

            Assert.True(result.ExitCode == 0, result.StandardError);
            Assert.Equal(5, result.OutputLines.Length);
            Assert.All(result.OutputLines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
            Assert.Contains($"source rtsp://operator:***@127.0.0.1:{server.Port}/test open", result.StandardError, StringComparison.Ordinal);
            var everything = result.StandardOutput + result.StandardError + (File.Exists(events) ? File.ReadAllText(events) : string.Empty);
            Assert.DoesNotContain("Pa55", everything, StringComparison.Ordinal);
            Assert.DoesNotContain(Uri.EscapeDataString(Password), everything, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(events);
        }
    }

    [Fact]
    public async Task Run_CameraDownForTenSeconds_ReconnectsLogsCountsAndGoesOn()
    {
        using var server = new RtspTestServer("operator", Password).Start();
        var events = Path.Combine(Path.GetTempPath(), $"edge-rtsp-events-{Guid.NewGuid():N}.jsonl");
        try
        {
            // 150 label sets at 15 fps take about 10 s of streaming: the outage falls in the middle of the run.
            var run = Task.Run(() => EdgeProcess.Run(TimeSpan.FromSeconds(120), "run", "--source", server.Url, "--frames", "150", "--budget-ms", "60000", "--events", events));
            await Task.Delay(TimeSpan.FromSeconds(5));
            server.Kill();
            await Task.Delay(TimeSpan.FromSeconds(10));
            server.Start();
            var result = await run;

            Assert.True(result.ExitCode == 0, result.StandardError);
            Assert.Equal(150, result.OutputLines.Length);
            var masked = $"rtsp://operator:***@127.0.0.1:{server.Port}/test";
            Assert.Contains($"camera lost: {masked}", result.StandardError, StringComparison.Ordinal);
            Assert.Contains($"camera recovered: {masked}", result.StandardError, StringComparison.Ordinal);
            Assert.Contains(result.ErrorLines, line => line.StartsWith("camera: lost 1 time, reconnected 1 time", StringComparison.Ordinal));
            var kinds = File.ReadAllLines(events).Select(line => JsonDocument.Parse(line).RootElement)
                .Where(e => e.GetProperty("event").GetString() is "camera_lost" or "camera_recovered")
                .Select(e => (e.GetProperty("event").GetString(), e.GetProperty("source").GetString())).ToList();
            Assert.Equal([("camera_lost", masked), ("camera_recovered", masked)], kinds);
            Assert.All(File.ReadAllLines(events), line => Assert.Equal("cam0", JsonDocument.Parse(line).RootElement.GetProperty("stream").GetString()));
            var everything = result.StandardOutput + result.StandardError + File.ReadAllText(events);
            Assert.DoesNotContain("Pa55", everything, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(events);
        }
    }

    [Fact]
    public async Task Run_OneOfFourCamerasDownForTenSeconds_TheOtherThreeKeepTheirServedRate()
    {
        using var server = new RtspTestServer().Start();
        using var folder = new TemporaryFolder();
        var config = Path.Combine(folder.Path, "four.json");
        var events = Path.Combine(folder.Path, "events.jsonl");
        string[] synthetic = ["front", "left", "right"];
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            budget_ms = 60000,
            streams = synthetic.Select((id, i) => new { id, source = $"synthetic?seed={i + 1}&fps=10" }).Append(new { id = "rear", source = server.Url }).ToArray(),
        }));

        // Three cameras at 10 fps and one at 15 fps: about 45 label sets a second, so 1,000 take some 25 s.
        var run = Task.Run(() => EdgeProcess.Run(TimeSpan.FromSeconds(180), "run", "--config", config, "--frames", "1000", "--events", events));
        await Task.Delay(TimeSpan.FromSeconds(6));
        server.Kill();
        await Task.Delay(TimeSpan.FromSeconds(10));
        server.Start();
        var result = await run;

        Assert.True(result.ExitCode == 0, result.StandardError);
        var cameraEvents = File.ReadAllLines(events).Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("event").GetString() is "camera_lost" or "camera_recovered").ToList();
        Assert.All(cameraEvents, e => Assert.Equal("rear", e.GetProperty("stream").GetString()));
        var lost = cameraEvents.First(e => e.GetProperty("event").GetString() == "camera_lost").GetProperty("at").GetDateTimeOffset();
        var recovered = cameraEvents.Last(e => e.GetProperty("event").GetString() == "camera_recovered").GetProperty("at").GetDateTimeOffset();
        // The loss is noticed only when a read times out, so the outage the run saw is shorter than the 10 s it lasted.
        Assert.True(recovered - lost > TimeSpan.FromSeconds(5), $"camera lost at {lost:O}, recovered at {recovered:O}");

        // Served share: label sets over frames captured in the window (frame numbers count every captured frame). The
        // capture rate itself may sag on a loaded machine; what a lost camera must not do is cost the others frames.
        var labelSets = result.OutputLines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        foreach (var stream in synthetic)
        {
            var frames = labelSets.Where(root => root.GetProperty("stream").GetString() == stream)
                .Select(root => (At: root.GetProperty("captured_at").GetDateTimeOffset(), Frame: root.GetProperty("frame").GetInt64())).ToList();
            var before = ServedShare(frames, frames.Min(f => f.At), lost);
            var during = ServedShare(frames, lost, recovered);
            Assert.True(during >= 0.95 * before, $"stream {stream}: {before:P1} of its captured frames labelled before the rear camera was lost, {during:P1} while it was");
        }
    }

    /// <summary>Label sets of frames captured in [from, to), over the frames captured there.</summary>
    private static double ServedShare(List<(DateTimeOffset At, long Frame)> published, DateTimeOffset from, DateTimeOffset to)
    {
        var inWindow = published.Where(f => f.At >= from && f.At < to).Select(f => f.Frame).ToList();
        return inWindow.Count / (double)(inWindow.Max() - inWindow.Min() + 1);
    }

    [Fact]
    public void Bench_RtspSourceWithCredentials_NeverPrintsThePassword()
    {
        using var server = new RtspTestServer("operator", Password).Start();
        var folder = Directory.CreateTempSubdirectory("edge-rtsp-bench-").FullName;
        try
        {
            var json = Path.Combine(folder, "bench.json");
            var report = Path.Combine(folder, "report");
            var result = EdgeProcess.Run(TimeSpan.FromSeconds(120), "bench", "--source", server.Url, "--frames", "20", "--warmup", "5", "--block", "5", "--json", json, "--report", report);

            Assert.True(result.ExitCode == 0, result.StandardError);
            Assert.Contains($"source rtsp://operator:***@127.0.0.1:{server.Port}/test", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
            var written = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".png", StringComparison.Ordinal)).Select(File.ReadAllText);
            var everything = string.Concat([result.StandardOutput, result.StandardError, .. written]);
            Assert.DoesNotContain("Pa55", everything, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Run_RtspNobodyListens_OneLineNamingTheCause()
    {
        using var server = new RtspTestServer();
        var result = EdgeProcess.Run(TimeSpan.FromSeconds(60), "run", "--source", $"rtsp://admin:hunter2@127.0.0.1:{server.Port}/test", "--frames", "5");

        EdgeProcess.AssertOneLineError(result, Edge.Cli.Commands.ExitCode.SourceFailed, $"cannot open stream rtsp://admin:***@127.0.0.1:{server.Port}/test: connection refused");
        Assert.DoesNotContain("hunter2", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_Table_SaysWhichProtocolsEachSourceCanRead()
    {
        var result = EdgeProcess.Run(TimeSpan.FromSeconds(60), "info");

        Assert.Equal(0, result.ExitCode);
        var lines = result.OutputLines;
        Assert.Contains(lines, line => line.StartsWith("  rtsp://", StringComparison.Ordinal) && line.Contains("GStreamer", StringComparison.Ordinal) && line.Contains("rtspsrc", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("  file: images:", StringComparison.Ordinal) && line.Contains("no network protocols", StringComparison.Ordinal));
    }

    [Fact]
    public void Info_Json_ListsOpenCvsFfmpegProtocolsAndTheStreamDecoders()
    {
        var result = EdgeProcess.Run(TimeSpan.FromSeconds(60), "info", "--json");

        Assert.Equal(0, result.ExitCode);
        using var info = JsonDocument.Parse(result.StandardOutput);
        var protocols = info.RootElement.GetProperty("opencv").GetProperty("ffmpeg_protocols").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("file", protocols);
        Assert.DoesNotContain("rtsp", protocols);
        Assert.DoesNotContain("tcp", protocols);
        var streams = info.RootElement.GetProperty("streams");
        Assert.StartsWith("GStreamer ", streams.GetProperty("rtsp").GetString(), StringComparison.Ordinal);
    }
}
