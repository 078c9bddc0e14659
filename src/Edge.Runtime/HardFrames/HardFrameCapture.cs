using System.Collections.Concurrent;
using Edge.Camera.Frames;
using Edge.Runtime.Bundles;
using Microsoft.Extensions.Logging;

namespace Edge.Runtime.HardFrames;

/// <summary>
/// Saves the frames the model was unsure about, with its predictions pre-filled, for annotation and the next
/// training round (see docs/hard-frames.md). <see cref="Offer"/> runs on the frame path after decoding: it judges the
/// frame, applies the rate limit, the near-duplicate check and the bounds, and hands a hard frame's pixels (copied
/// into a pooled slot) to a background writer thread. It never waits for the disk, and a frame that is not hard costs
/// no allocation.
/// </summary>
/// <remarks>
/// <see cref="Offer"/> must be called from one thread at a time (the frame path). The counters may be read from any
/// thread. Nothing in the folder is ever deleted or overwritten: when the folder's PNGs reach
/// <see cref="HardFrameOptions.MaxBytes"/>, saving stops.
/// </remarks>
public sealed partial class HardFrameCapture : IDisposable
{
    /// <summary>How long <see cref="Dispose"/> waits for the writer to finish the frames already queued.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    /// <summary>While the device has no space, one hard frame is tried this often; the others are counted, not copied.</summary>
    public static readonly TimeSpan NoSpaceRetryInterval = TimeSpan.FromSeconds(5);

    private readonly HardFrameOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly HardFrameJudge judge;
    private readonly HardFrameFolder folder;
    private volatile string modelSha256;
    private readonly int labelCount;
    private readonly ConcurrentQueue<Slot> free = new();
    private readonly ConcurrentQueue<Slot> queued = new();
    private readonly SemaphoreSlim signal = new(0);
    private readonly ManualResetEventSlim? writerGate;
    private readonly Thread writer;
    private readonly long minIntervalTicks;
    private readonly long noSpaceRetryTicks;
    private volatile bool stopping;
    private volatile bool diskFull;
    private volatile bool noSpace;
    private long noSpaceRetryAt;
    private long notSavedSinceProblem;
    private bool failing;
    private int waiting;
    private int inFlight;
    private int diskFullLogged;
    private bool disposed;
    private bool hasSaved;
    private long lastSavedTimestamp;
    private ulong lastSavedHash;
    private long folderBytes;
    private long saved;
    private long rateLimited;
    private long duplicates;
    private long queueFull;
    private long diskFullCount;
    private long bytesWritten;
    private long failed;
    private long noSpaceCount;

    public HardFrameCapture(HardFrameOptions options, IReadOnlyList<LabelThreshold> labels, string modelSha256, TimeProvider time, ILogger logger)
        : this(options, labels, modelSha256, time, logger, writerGate: null)
    {
    }

    /// <param name="writerGate">Test hook: when given, the writer waits for it to be set before it takes each queued frame.</param>
    internal HardFrameCapture(HardFrameOptions options, IReadOnlyList<LabelThreshold> labels, string modelSha256, TimeProvider time, ILogger logger, ManualResetEventSlim? writerGate)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(modelSha256);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        if (labels.Count == 0)
        {
            throw new ArgumentException("no labels: expected the model's labels and thresholds", nameof(labels));
        }

        this.options = options;
        this.time = time;
        this.logger = logger;
        this.writerGate = writerGate;
        labelCount = labels.Count;
        var on = new float[labelCount];
        var names = new string[labelCount];
        for (var i = 0; i < labelCount; i++)
        {
            on[i] = labels[i].On;
            names[i] = labels[i].Name;
        }

        judge = new HardFrameJudge(on, options);
        folder = new HardFrameFolder(options.Directory, names);
        this.modelSha256 = modelSha256;
        folderBytes = folder.ExistingPngBytes;
        minIntervalTicks = (long)(options.MinInterval.TotalSeconds * time.TimestampFrequency);
        noSpaceRetryTicks = (long)(NoSpaceRetryInterval.TotalSeconds * time.TimestampFrequency);

        // One slot per queued frame plus the one being written.
        for (var i = 0; i <= options.QueueCapacity; i++)
        {
            free.Enqueue(new Slot(labelCount));
        }

        if (folderBytes >= options.MaxBytes)
        {
            MarkDiskFull();
        }

        writer = new Thread(WriteLoop) { IsBackground = true, Name = "edge-hard-frames", Priority = ThreadPriority.BelowNormal };
        writer.Start();
    }

    /// <summary>
    /// The hash of the model whose scores are offered from now on; a model swap sets it (on the frame thread, at the
    /// switch), so each saved frame's row names the model that scored it.
    /// </summary>
    public string ModelSha256
    {
        get => modelSha256;
        set => modelSha256 = value;
    }

    /// <summary>Full path of the folder that receives the frames.</summary>
    public string Directory => folder.Directory;

    /// <summary>Frames written (PNG and row) so far.</summary>
    public long Saved => Interlocked.Read(ref saved);

    public long RateLimited => Interlocked.Read(ref rateLimited);

    public long Duplicates => Interlocked.Read(ref duplicates);

    public long QueueFull => Interlocked.Read(ref queueFull);

    /// <summary>Hard frames not saved because the folder reached its bound (offered after, or queued before it was reached).</summary>
    public long DiskFull => Interlocked.Read(ref diskFullCount);

    /// <summary>Frames the writer could not write for another reason than space (an I/O error or permissions, logged once per change); the folder is left as it was.</summary>
    public long Failed => Interlocked.Read(ref failed);

    /// <summary>Hard frames not saved because the device had no space left (logged once when it starts and once when it ends).</summary>
    public long NoSpace => Interlocked.Read(ref noSpaceCount);

    /// <summary>Bytes of PNG written by this instance.</summary>
    public long BytesWritten => Interlocked.Read(ref bytesWritten);

    /// <summary>
    /// Judges a decoded frame and queues it for saving when it is hard. Never blocks; allocates nothing unless the
    /// frame is hard and passes the rate limit (and even then only when a pooled buffer must grow).
    /// </summary>
    /// <param name="frame">The frame the scores belong to (BGR24).</param>
    /// <param name="scores">One score in [0, 1] per label, in label order.</param>
    /// <param name="active">Indices of the active labels (the order they appear in the labels column).</param>
    /// <param name="turnedOn">Labels that turned on with this frame.</param>
    /// <param name="turnedOff">Labels that turned off with this frame.</param>
    /// <param name="capturedAt">Wall-clock capture time, for the file name and the <c>captured_at</c> column.</param>
    public HardFrameOutcome Offer(Frame frame, ReadOnlySpan<float> scores, ReadOnlySpan<int> active, ReadOnlySpan<int> turnedOn, ReadOnlySpan<int> turnedOff, DateTimeOffset capturedAt)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(frame);
        if (scores.Length != labelCount)
        {
            throw new ArgumentException($"{scores.Length} scores for {labelCount} labels", nameof(scores));
        }

        if (!judge.Judge(scores, active.Length, turnedOn, turnedOff))
        {
            return HardFrameOutcome.NotHard;
        }

        if (diskFull)
        {
            Interlocked.Increment(ref diskFullCount);
            return HardFrameOutcome.DiskFull;
        }

        var now = time.GetTimestamp();
        if (hasSaved && now - lastSavedTimestamp < minIntervalTicks)
        {
            Interlocked.Increment(ref rateLimited);
            return HardFrameOutcome.RateLimited;
        }

        if (noSpace && now < Interlocked.Read(ref noSpaceRetryAt))
        {
            Interlocked.Increment(ref noSpaceCount);
            Interlocked.Increment(ref notSavedSinceProblem);
            return HardFrameOutcome.NoSpace;
        }

        var pixels = frame.PixelSpan;
        var hash = DifferenceHash.Compute(pixels, frame.Width, frame.Height);
        if (hasSaved && DifferenceHash.Distance(hash, lastSavedHash) < options.DuplicateDistance)
        {
            Interlocked.Increment(ref duplicates);
            return HardFrameOutcome.Duplicate;
        }

        if (Volatile.Read(ref waiting) >= options.QueueCapacity || !free.TryDequeue(out var slot))
        {
            Interlocked.Increment(ref queueFull);
            return HardFrameOutcome.QueueFull;
        }

        slot.Fill(frame, scores, active, judge, capturedAt, modelSha256);
        Interlocked.Increment(ref inFlight);
        Interlocked.Increment(ref waiting);
        queued.Enqueue(slot);
        signal.Release();
        hasSaved = true;
        lastSavedTimestamp = now;
        lastSavedHash = hash;
        return HardFrameOutcome.Saved;
    }

    /// <summary>Finishes the frames already queued (waiting at most <see cref="DrainTimeout"/>) and stops the writer.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        stopping = true;
        signal.Release();
        if (!writer.Join(DrainTimeout))
        {
            LogDrainTimedOut(DrainTimeout, Volatile.Read(ref inFlight), folder.Directory);
            return;
        }

        signal.Dispose();
    }

    /// <summary>Test hook: waits until every queued frame has been written or discarded.</summary>
    internal bool WaitUntilIdle(TimeSpan timeout) => SpinWait.SpinUntil(() => Volatile.Read(ref inFlight) == 0, timeout);

    private void WriteLoop()
    {
        while (true)
        {
            signal.Wait();
            writerGate?.Wait();
            if (!queued.TryDequeue(out var slot))
            {
                if (stopping)
                {
                    return;
                }

                continue;
            }

            Interlocked.Decrement(ref waiting);
            try
            {
                Write(slot);
            }
            finally
            {
                free.Enqueue(slot);
                Interlocked.Decrement(ref inFlight);
            }
        }
    }

    private void Write(Slot slot)
    {
        if (diskFull)
        {
            Interlocked.Increment(ref diskFullCount);
            return;
        }

        try
        {
            var size = folder.Write(
                slot.Pixels.AsSpan(0, slot.Width * slot.Height * 3),
                slot.Width,
                slot.Height,
                slot.Sequence,
                slot.CapturedAt,
                slot.Scores,
                slot.Active.AsSpan(0, slot.ActiveCount),
                slot.MarginLabels,
                slot.Entropy,
                slot.LabelCount,
                slot.FlickerLabels,
                slot.ModelSha256);
            Interlocked.Add(ref bytesWritten, size);
            Interlocked.Increment(ref saved);
            if ((folderBytes += size) >= options.MaxBytes)
            {
                MarkDiskFull();
            }

            if (noSpace || failing)
            {
                LogSavingAgain(folder.Directory, Interlocked.Exchange(ref notSavedSinceProblem, 0));
                noSpace = false;
                failing = false;
            }
        }
        catch (IOException exception) when (Publishing.IoErrors.IsNoSpace(exception))
        {
            Interlocked.Increment(ref noSpaceCount);
            Interlocked.Increment(ref notSavedSinceProblem);
            Interlocked.Exchange(ref noSpaceRetryAt, time.GetTimestamp() + noSpaceRetryTicks);
            if (!noSpace)
            {
                noSpace = true;
                LogNoSpace(folder.Directory, exception.Message, Saved);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref failed);
            Interlocked.Increment(ref notSavedSinceProblem);
            if (!failing)
            {
                failing = true;
                LogWriteFailed(slot.Sequence, folder.Directory, exception.Message);
            }
        }
    }

    private void MarkDiskFull()
    {
        diskFull = true;
        if (Interlocked.Exchange(ref diskFullLogged, 1) == 0)
        {
            LogDiskFull(folder.Directory, folderBytes, options.MaxBytes);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "hard-frames folder {Directory} holds {Bytes} bytes of PNGs, at its bound of {MaxBytes}: no more hard frames are saved (nothing is deleted; move or annotate the images and restart, or raise the bound)")]
    private partial void LogDiskFull(string directory, long bytes, long maxBytes);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "saving hard frame {Frame} to {Directory} failed ({Reason}); hard frames that cannot be saved are skipped and counted (logged again when saving works again)")]
    private partial void LogWriteFailed(long frame, string directory, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "hard-frames folder {Directory}: no space left on the device ({Reason}); hard frames are not saved until there is room (tried again every 5 s; the frame path is not slowed); {Saved} saved so far")]
    private partial void LogNoSpace(string directory, string reason, long saved);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "hard-frames folder {Directory}: saving again; {Count} hard frames were not saved meanwhile")]
    private partial void LogSavingAgain(string directory, long count);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "hard-frame writer did not finish within {Timeout}; {Frames} frame(s) for {Directory} may not be saved")]
    private partial void LogDrainTimedOut(TimeSpan timeout, int frames, string directory);

    /// <summary>A hard frame's copy, reused: buffers grow to the largest frame seen and are never shrunk.</summary>
    private sealed class Slot(int labelCount)
    {
        public byte[] Pixels { get; private set; } = [];

        public int Width { get; private set; }

        public int Height { get; private set; }

        public long Sequence { get; private set; }

        public DateTimeOffset CapturedAt { get; private set; }

        public float[] Scores { get; } = new float[labelCount];

        public int[] Active { get; } = new int[labelCount];

        public int ActiveCount { get; private set; }

        public bool[] MarginLabels { get; } = new bool[labelCount];

        public bool[] FlickerLabels { get; } = new bool[labelCount];

        public bool Entropy { get; private set; }

        public bool LabelCount { get; private set; }

        public string ModelSha256 { get; private set; } = "";

        public void Fill(Frame frame, ReadOnlySpan<float> scores, ReadOnlySpan<int> active, HardFrameJudge judge, DateTimeOffset capturedAt, string modelSha256)
        {
            ModelSha256 = modelSha256;
            var pixels = frame.PixelSpan;
            if (Pixels.Length < pixels.Length)
            {
                Pixels = new byte[pixels.Length];
            }

            pixels.CopyTo(Pixels);
            Width = frame.Width;
            Height = frame.Height;
            Sequence = frame.Sequence;
            CapturedAt = capturedAt;
            scores.CopyTo(Scores);
            ActiveCount = Math.Min(active.Length, Active.Length);
            active[..ActiveCount].CopyTo(Active);
            judge.MarginLabels.CopyTo(MarginLabels);
            judge.FlickerLabels.CopyTo(FlickerLabels);
            Entropy = judge.Entropy;
            LabelCount = judge.LabelCountUnusual;
        }
    }
}
