using Edge.Camera.Frames;
using Edge.Runtime.Bundles;
using Edge.Runtime.HardFrames;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Runtime.Tests.HardFrames;

/// <summary>A temporary hard-frames folder, a fake clock, four labels and frames to offer; the folder is deleted on dispose.</summary>
internal sealed class HardFrameFixture : IDisposable
{
    public const string ModelSha = "ab12cd34";

    /// <summary>Four labels, on 0.5 / off 0.4; the third holds a comma so that CSV quoting is exercised.</summary>
    public static readonly LabelThreshold[] Labels =
    [
        new("a", 0.5f, 0.4f),
        new("b", 0.5f, 0.4f),
        new("coat, long", 0.5f, 0.4f),
        new("d", 0.5f, 0.4f),
    ];

    public static readonly float[] Confident = [0.99f, 0.01f, 0.01f, 0.01f];

    /// <summary>Label b sits 0.05 above its threshold: "margin:b" only (mean entropy about 0.31 bits).</summary>
    public static readonly float[] NearThreshold = [0.99f, 0.55f, 0.01f, 0.01f];

    public HardFrameFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "edge-hard-frames-tests-" + Guid.NewGuid().ToString("N"));
    }

    public string Directory { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 7, 0, 0, 250, TimeSpan.Zero));

    public string LabelsCsv => Path.Combine(Directory, "labels.csv");

    public HardFrameOptions Options(Func<HardFrameOptions, HardFrameOptions>? change = null)
    {
        var options = new HardFrameOptions { Directory = Directory };
        return change is null ? options : change(options);
    }

    public HardFrameCapture Create(HardFrameOptions? options = null, ILogger? logger = null, ManualResetEventSlim? writerGate = null) =>
        new(options ?? Options(), Labels, ModelSha, Time, logger ?? NullLogger.Instance, writerGate);

    /// <summary>A frame whose brightness rises (or falls) from left to right, with a little texture from the seed.</summary>
    public static Frame Gradient(int width, int height, bool rising, long sequence, int seed = 1)
    {
        var frame = new Frame(width, height) { Sequence = sequence };
        var random = new Random(seed);
        var pixels = frame.PixelSpan;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var level = 20 + (200 * (rising ? x : width - 1 - x) / Math.Max(1, width - 1));
                var p = ((y * width) + x) * 3;
                pixels[p] = (byte)(level + random.Next(0, 8));
                pixels[p + 1] = (byte)(level / 2 + random.Next(0, 8));
                pixels[p + 2] = (byte)(255 - level);
            }
        }

        return frame;
    }

    public static Frame Noise(int width, int height, int seed, long sequence)
    {
        var frame = new Frame(width, height) { Sequence = sequence };
        new Random(seed).NextBytes(frame.PixelSpan);
        return frame;
    }

    /// <summary>Offers a frame with scores whose active set is every label at or above 0.5, no turns.</summary>
    public HardFrameOutcome Offer(HardFrameCapture capture, Frame frame, float[] scores, int[]? turnedOn = null, int[]? turnedOff = null)
    {
        var active = new List<int>();
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] >= 0.5f)
            {
                active.Add(i);
            }
        }

        return capture.Offer(frame, scores, active.ToArray(), turnedOn ?? [], turnedOff ?? [], Time.GetUtcNow());
    }

    /// <summary>The rows of labels.csv (header excluded), each as its fields, parsed as edge eval parses them.</summary>
    public IReadOnlyList<string[]> Rows()
    {
        var records = Edge.Tools.Evaluation.Datasets.CsvParser.Parse(File.ReadAllText(LabelsCsv), LabelsCsv);
        Assert.Equal(HardFrameFolder.Header, string.Join(',', records[0].Fields));
        return [.. records.Skip(1).Select(record => record.Fields)];
    }

    public void Dispose()
    {
        try
        {
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Keeps the messages logged, for tests that check what was said and how often.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message)> entries = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (entries)
            {
                return [.. entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (entries)
        {
            entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
