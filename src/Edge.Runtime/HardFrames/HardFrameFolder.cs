using System.Globalization;
using System.Text;
using StbImageWriteSharp;

namespace Edge.Runtime.HardFrames;

/// <summary>
/// The on-disk layout of a hard-frame folder: PNGs named after capture time and frame number, and <c>labels.csv</c> in
/// the CSV dataset format <c>edge eval</c> reads (<c>image,labels</c> first, then columns for the annotator). Each
/// PNG is written to a temporary name, flushed to disk and renamed before its row is appended, so a row never
/// names a missing or partial image. Used by the writer thread only.
/// </summary>
internal sealed class HardFrameFolder
{
    public const string LabelsFile = "labels.csv";
    public const string Header = "image,labels,scores,reasons,model_sha256,captured_at,frame";
    private const string TemporarySuffix = ".tmp";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly string[] names;
    private readonly StringBuilder row = new();
    private readonly ImageWriter pngWriter = new();
    private byte[] rgb = [];
    private bool needsLineBreak;

    /// <summary>Creates the folder if needed and checks that an existing <c>labels.csv</c> is one this class wrote.</summary>
    /// <exception cref="InvalidDataException">The folder's <c>labels.csv</c> has another header.</exception>
    public HardFrameFolder(string directory, IReadOnlyList<string> labelNames)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        names = [.. labelNames];
        LabelsPath = Path.Combine(Directory, LabelsFile);
        if (File.Exists(LabelsPath) && new FileInfo(LabelsPath).Length > 0)
        {
            using var reader = new StreamReader(LabelsPath, Utf8);
            var first = reader.ReadLine() ?? string.Empty;
            if (!string.Equals(first.TrimStart('\uFEFF').TrimEnd(), Header, StringComparison.Ordinal))
            {
                throw new InvalidDataException(
                    $"hard-frames folder '{Directory}' has a {LabelsFile} with header '{first}': expected '{Header}' (choose an empty folder or one written by edge run)");
            }

            // A row cut short by a crash stays on its own line: the next row starts on a fresh one.
            using var stream = File.OpenRead(LabelsPath);
            stream.Seek(-1, SeekOrigin.End);
            needsLineBreak = stream.ReadByte() != '\n';
        }

        ExistingPngBytes = ExistingPngSize(Directory);
        CheckWritable();
    }

    public string Directory { get; }

    public string LabelsPath { get; }

    /// <summary>Bytes of <c>*.png</c> files already in the folder when it was opened.</summary>
    public long ExistingPngBytes { get; }

    /// <summary>Writes the image and appends its row (naming the model that scored it by its hash); returns the PNG's size in bytes.</summary>
    public long Write(ReadOnlySpan<byte> bgr, int width, int height, long sequence, DateTimeOffset capturedAt, ReadOnlySpan<float> scores, ReadOnlySpan<int> active, ReadOnlySpan<bool> marginLabels, bool entropy, bool labelCount, ReadOnlySpan<bool> flickerLabels, string modelSha256)
    {
        var (name, path) = FreeName(capturedAt, sequence);
        var temporary = path + TemporarySuffix;
        long size;
        try
        {
            ToRgb(bgr, width, height);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                pngWriter.WritePng(rgb, width, height, ColorComponents.RedGreenBlue, stream);
                stream.Flush(flushToDisk: true);
                size = stream.Length;
            }

            File.Move(temporary, path, overwrite: false);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        try
        {
            AppendRow(FormatRow(name, scores, active, marginLabels, entropy, labelCount, flickerLabels, capturedAt, sequence, modelSha256));
        }
        catch
        {
            TryDelete(path); // the image just written, which no row names
            throw;
        }

        return size;
    }

    /// <summary>File name for a frame: <c>yyyyMMddTHHmmssfff_sequence.png</c> (UTC), with <c>-2</c>, <c>-3</c>... if taken.</summary>
    internal static string FileName(DateTimeOffset capturedAt, long sequence, int attempt = 1) =>
        attempt == 1
            ? string.Create(CultureInfo.InvariantCulture, $"{capturedAt.UtcDateTime:yyyyMMdd'T'HHmmssfff}_{sequence}.png")
            : string.Create(CultureInfo.InvariantCulture, $"{capturedAt.UtcDateTime:yyyyMMdd'T'HHmmssfff}_{sequence}-{attempt}.png");

    /// <summary>Quotes a CSV field when it holds a comma, quote or line break (RFC 4180).</summary>
    internal static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    internal string FormatRow(string image, ReadOnlySpan<float> scores, ReadOnlySpan<int> active, ReadOnlySpan<bool> marginLabels, bool entropy, bool labelCount, ReadOnlySpan<bool> flickerLabels, DateTimeOffset capturedAt, long sequence, string modelSha256)
    {
        var labels = new StringBuilder();
        foreach (var label in active)
        {
            Separate(labels, ';').Append(names[label]);
        }

        var scoreList = new StringBuilder();
        for (var i = 0; i < scores.Length; i++)
        {
            Separate(scoreList, ';').Append(names[i]).Append(':').Append(scores[i].ToString("0.000", CultureInfo.InvariantCulture));
        }

        var reasons = new StringBuilder();
        for (var i = 0; i < marginLabels.Length; i++)
        {
            if (marginLabels[i])
            {
                Separate(reasons, ';').Append("margin:").Append(names[i]);
            }
        }

        if (entropy)
        {
            Separate(reasons, ';').Append("entropy");
        }

        if (labelCount)
        {
            Separate(reasons, ';').Append("label_count");
        }

        for (var i = 0; i < flickerLabels.Length; i++)
        {
            if (flickerLabels[i])
            {
                Separate(reasons, ';').Append("flicker:").Append(names[i]);
            }
        }

        row.Clear()
            .Append(Quote(image)).Append(',')
            .Append(Quote(labels.ToString())).Append(',')
            .Append(Quote(scoreList.ToString())).Append(',')
            .Append(Quote(reasons.ToString())).Append(',')
            .Append(Quote(modelSha256)).Append(',')
            .Append(capturedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(',')
            .Append(sequence.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return row.ToString();
    }

    private static StringBuilder Separate(StringBuilder builder, char separator) =>
        builder.Length > 0 ? builder.Append(separator) : builder;

    private static long ExistingPngSize(string directory)
    {
        long bytes = 0;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*.png", SearchOption.TopDirectoryOnly))
        {
            bytes += file.Length;
        }

        return bytes;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private (string Name, string Path) FreeName(DateTimeOffset capturedAt, long sequence)
    {
        for (var attempt = 1; ; attempt++)
        {
            var name = FileName(capturedAt, sequence, attempt);
            var path = Path.Combine(Directory, name);
            if (!File.Exists(path) && !File.Exists(path + TemporarySuffix))
            {
                return (name, path);
            }
        }
    }

    private void ToRgb(ReadOnlySpan<byte> bgr, int width, int height)
    {
        var length = width * height * 3;
        if (rgb.Length < length)
        {
            rgb = new byte[length];
        }

        for (var p = 0; p < length; p += 3)
        {
            rgb[p] = bgr[p + 2];
            rgb[p + 1] = bgr[p + 1];
            rgb[p + 2] = bgr[p];
        }
    }

    /// <summary>Appends a whole row or nothing: a write the disk had no room for is cut back.</summary>
    private void AppendRow(string line)
    {
        using var stream = new FileStream(LabelsPath, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
        var complete = stream.Length;
        var text = complete == 0 ? Header + "\n" + line : needsLineBreak ? "\n" + line : line;
        try
        {
            stream.Write(Utf8.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            stream.SetLength(complete);
            throw;
        }

        needsLineBreak = false;
    }

    /// <summary>Refuses, at start, a folder (or <c>labels.csv</c>) this process cannot write, rather than failing every save later.</summary>
    private void CheckWritable()
    {
        using (new FileStream(Path.Combine(Directory, $".edge-write-check-{Environment.ProcessId}.tmp"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
        {
        }

        if (File.Exists(LabelsPath))
        {
            using (new FileStream(LabelsPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
            }
        }
    }
}
