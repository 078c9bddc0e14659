using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Edge.Runtime.Publishing;

/// <summary>
/// Writes JSON lines to stdout or a file, each line with one unbuffered write so readers see every frame at once.
/// A file never keeps a partial line: a write the disk had no room for is cut back to the last complete line, and a
/// file opened for appending whose last line was left unfinished (by a full disk or a crash) is repaired first.
/// While the disk has no room, lines are counted and not written (the run and the other outputs go on) and a write is
/// tried again every <see cref="RetryInterval"/>; the condition is logged once when it starts and once when it ends.
/// When the reader of stdout (or of a FIFO) goes away (EPIPE, as with <c>| head -3</c>), <see cref="ReaderGone"/> fires
/// so the run can stop.
/// </summary>
/// <remarks>Thread-safe: label sets (frame thread) and events (frame and capture threads) may share one sink.</remarks>
public sealed partial class JsonLinesSink : IDisposable
{
    /// <summary>How often a write is tried again while the disk has no room.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private static readonly byte[] MessageStart = "{\"schema\":\"edge."u8.ToArray();

    private readonly Lock gate = new();
    private readonly Stream stream;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CancellationTokenSource readerGone = new();
    private readonly long retryTicks;
    private long written;
    private long notWritten;
    private long notWrittenSinceFull;
    private long retryAt;
    private bool noRoom;

    private JsonLinesSink(Stream stream, string name, TimeProvider time, ILogger logger)
    {
        this.stream = stream;
        Name = name;
        this.time = time;
        this.logger = logger;
        retryTicks = (long)(RetryInterval.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>"stdout" or the file's path.</summary>
    public string Name { get; }

    // Read without the write lock, so a metrics scrape never waits behind a write that blocks (a stalled reader).

    /// <summary>Lines written.</summary>
    public long Written => Volatile.Read(ref written);

    /// <summary>Lines not written because the disk had no room (ENOSPC, EDQUOT, EFBIG).</summary>
    public long NotWritten => Volatile.Read(ref notWritten);

    /// <summary>True once the reader of stdout (or of a FIFO) has gone away; nothing more is written.</summary>
    public bool ReaderClosed => readerGone.IsCancellationRequested;

    /// <summary>Cancelled when the reader of stdout (or of a FIFO) goes away.</summary>
    public CancellationToken ReaderGone => readerGone.Token;

    /// <summary>Opens <c>-</c> (stdout) or a file in an existing folder for appending.</summary>
    /// <exception cref="DirectoryNotFoundException">The file's folder does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be written (permissions).</exception>
    /// <exception cref="IOException">The file cannot be opened or repaired (a read-only filesystem, for instance).</exception>
    public static JsonLinesSink Open(string target, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        if (target == "-")
        {
            // A pipe, FIFO or terminal: a FileStream, because Console.OpenStandardOutput()'s stream pretends a write to a
            // closed pipe succeeded. A regular file (`> all.log 2>&1`): the console stream, because a seekable
            // FileStream writes at an offset of its own and would overwrite what stderr wrote to the same file.
            var stdout = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (stdout.CanSeek)
            {
                stdout.Dispose();
                return new JsonLinesSink(Console.OpenStandardOutput(), "stdout", time, logger);
            }

            return new JsonLinesSink(stdout, "stdout", time, logger);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(target));
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"--output folder '{directory}' does not exist: expected - (stdout) or a file in an existing folder");
        }

        var stream = new FileStream(target, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);
        var sink = new JsonLinesSink(stream, target, time, logger);
        try
        {
            if (stream.CanSeek) // a regular file; a FIFO or device is written as it comes
            {
                sink.RepairLastLine(target);
                stream.Seek(0, SeekOrigin.End);
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return sink;
    }

    public void Publish(ReadOnlySpan<byte> message)
    {
        lock (gate)
        {
            if (readerGone.IsCancellationRequested)
            {
                return;
            }

            if (noRoom && time.GetTimestamp() < retryAt)
            {
                CountNotWritten();
                return;
            }

            var complete = stream.CanSeek ? stream.Position : 0; // the only writer, at the end: no fstat per line
            try
            {
                stream.Write(message);
            }
            catch (IOException exception) when (IoErrors.IsBrokenPipe(exception))
            {
                readerGone.Cancel();
                return;
            }
            catch (IOException exception) when (IoErrors.IsNoSpace(exception))
            {
                CutBackTo(complete);
                CountNotWritten();
                retryAt = time.GetTimestamp() + retryTicks;
                if (!noRoom)
                {
                    noRoom = true;
                    LogNoRoom(Name, exception.Message, written);
                }

                return;
            }
            catch (IOException)
            {
                CutBackTo(complete);
                throw;
            }

            Volatile.Write(ref written, written + 1);
            if (noRoom)
            {
                noRoom = false;
                LogRoomAgain(Name, notWrittenSinceFull);
                notWrittenSinceFull = 0;
            }
        }
    }

    public void Dispose()
    {
        stream.Dispose();
        readerGone.Dispose();
    }

    private void CountNotWritten()
    {
        Volatile.Write(ref notWritten, notWritten + 1);
        notWrittenSinceFull++;
    }

    private void CutBackTo(long length)
    {
        if (stream.CanSeek && stream.Length > length)
        {
            stream.SetLength(length);
        }
    }

    /// <summary>
    /// A file that does not end with a line break: an unfinished message of ours (left by a full disk or a crash
    /// before this version cut such lines back) is removed, as no reader could parse it; anything else is kept, and
    /// the next line starts on a line of its own.
    /// </summary>
    private void RepairLastLine(string path)
    {
        var length = stream.Length;
        if (length == 0)
        {
            return;
        }

        var tail = new byte[(int)Math.Min(length, 1 << 16)];
        using (var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1))
        {
            reader.Seek(length - tail.Length, SeekOrigin.Begin);
            reader.ReadExactly(tail);
        }

        if (tail[^1] == (byte)'\n')
        {
            return;
        }

        var lineBreak = tail.AsSpan().LastIndexOf((byte)'\n');
        var lastLine = tail.AsSpan(lineBreak + 1);
        var wholeLineSeen = lineBreak >= 0 || length == tail.Length; // our messages are far shorter than the 64 KiB read
        var ours = lastLine.Length <= MessageStart.Length ? MessageStart.AsSpan().StartsWith(lastLine) : lastLine.StartsWith(MessageStart);
        if (ours && wholeLineSeen)
        {
            stream.SetLength(length - lastLine.Length);
            LogCutIncompleteLine(Name, lastLine.Length);
            return;
        }

        stream.Seek(0, SeekOrigin.End);
        stream.Write("\n"u8);
        LogTerminatedLastLine(Name);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Name}: no space left on the device ({Reason}); lines are not written there until there is room (tried again every second; the run and the other outputs go on); {Written} lines written so far")]
    private partial void LogNoRoom(string name, string reason, long written);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Name}: writing again; {Count} lines were not written while the device had no space")]
    private partial void LogRoomAgain(string name, long count);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Name}: removed an incomplete last line ({Bytes} bytes) that an earlier run could not finish writing")]
    private partial void LogCutIncompleteLine(string name, int bytes);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "{Name} did not end with a line break: new lines start on a line of their own")]
    private partial void LogTerminatedLastLine(string name);
}
