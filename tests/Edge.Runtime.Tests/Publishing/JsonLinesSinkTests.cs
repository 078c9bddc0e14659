using System.Text;
using System.Text.Json;
using Edge.Outputs.Metrics;
using Edge.Runtime.Publishing;
using Edge.Runtime.Tests.HardFrames;
using Microsoft.Extensions.Logging;

namespace Edge.Runtime.Tests.Publishing;

/// <summary>The JSON-lines file output on a real filesystem that fills up (tmpfs), and on one that has room.</summary>
public sealed class JsonLinesSinkTests
{
    private readonly ManualTimeProvider time = new();
    private readonly ListLogger logger = new();

    [TmpfsFact]
    public void Publish_DeviceFillsThenHasRoomAgain_OnlyWholeLinesWritten_RestCountedAndEachChangeLoggedOnce()
    {
        using var disk = Tmpfs.Mount(24);
        var filler = Path.Combine(disk.Directory, "filler");
        File.WriteAllBytes(filler, new byte[12 * 1024]);
        var path = Path.Combine(disk.Directory, "labels.jsonl");
        using var sink = JsonLinesSink.Open(path, time, logger);
        using var metrics = new RuntimeMetrics(time) { LineOutputs = [new LineOutput("output", sink)] };
        using var recorder = new MeterRecorder(metrics.Meter);

        for (var i = 0; i < 40; i++)
        {
            sink.Publish(Line(i));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.InRange(sink.Written, 1, 39);
        Assert.Equal(40, sink.Written + sink.NotWritten);
        AssertWholeLines(path, sink.Written);
        Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("no space left", StringComparison.Ordinal));
        recorder.Collect();
        Assert.Equal(sink.NotWritten, recorder.Sums["edge_output_lines_not_written{output=\"output\"}"]);

        File.Delete(filler);
        var notWritten = sink.NotWritten;
        time.Advance(JsonLinesSink.RetryInterval);
        sink.Publish(Line(40));
        sink.Publish(Line(41));

        Assert.Equal(notWritten, sink.NotWritten);
        AssertWholeLines(path, sink.Written);
        Assert.Single(logger.Entries, entry => entry.Message.Contains($"writing again; {notWritten} lines were not written", StringComparison.Ordinal));
    }

    [TmpfsFact]
    public void Publish_WhileDeviceHasNoRoom_TriesAgainOnlyAfterTheRetryInterval()
    {
        using var disk = Tmpfs.Mount(16);
        var filler = disk.Fill();
        var path = Path.Combine(disk.Directory, "labels.jsonl");
        using var sink = JsonLinesSink.Open(path, time, logger);

        sink.Publish(Line(0));
        File.Delete(filler);
        sink.Publish(Line(1));
        time.Advance(JsonLinesSink.RetryInterval - TimeSpan.FromMilliseconds(1));
        sink.Publish(Line(2));

        Assert.Equal(0, sink.Written);
        Assert.Equal(3, sink.NotWritten);
        Assert.Equal(0, new FileInfo(path).Length);

        time.Advance(TimeSpan.FromMilliseconds(1));
        sink.Publish(Line(3));

        Assert.Equal(1, sink.Written);
        AssertWholeLines(path, 1);
    }

    [Fact]
    public void Open_FileEndingInAnUnfinishedMessage_CutsItOffAndSaysSo()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Encoding.UTF8.GetString(Line(0)) + "{\"schema\":\"edge.lab");
            using (var sink = JsonLinesSink.Open(path, time, logger))
            {
                sink.Publish(Line(1));
            }

            AssertWholeLines(path, 2);
            Assert.Single(logger.Entries, entry => entry.Message.Contains("removed an incomplete last line (19 bytes)", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A label-set-like line of about 700 bytes, numbered.</summary>
    internal static byte[] Line(int number) =>
        Encoding.UTF8.GetBytes($"{{\"schema\":\"edge.labels/2\",\"frame\":{number},\"pad\":\"{new string('x', 660)}\"}}\n");

    private static void AssertWholeLines(string path, long expected)
    {
        var text = File.ReadAllText(path);
        Assert.True(text.Length == 0 || text.EndsWith('\n'), "the file ends in a partial line");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected, lines.Length);
        foreach (var line in lines)
        {
            Assert.Equal("edge.labels/2", JsonDocument.Parse(line).RootElement.GetProperty("schema").GetString());
        }
    }
}
