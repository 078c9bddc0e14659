using System.Diagnostics;
using Edge.Camera.Frames;

namespace Edge.Tools.Benchmarking.Streams;

/// <summary>
/// One stream's camera for <c>edge bench --streams</c>: plays preloaded frames into its own slot from its own thread
/// ("edge-player-N"), stamping each with the time it is handed over. At a rate it follows an absolute schedule into a
/// latest-frame-wins slot (a frame not taken in time is overwritten, as a camera's would be); at <c>max</c> its slot is
/// lossless, so the next frame is ready the moment the scheduler takes the previous one and no CPU is spent on frames
/// nobody takes (the budget then runs from the hand-off, as for any lossless source).
/// </summary>
internal sealed class StreamPlayer : IDisposable
{
    private readonly IReadOnlyList<Frame> frames;
    private readonly double rate;
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private long played;
    private long allocatedBytes;

    public StreamPlayer(int index, IReadOnlyList<Frame> frames, double framesPerSecond, FrameSignal signal)
    {
        if (frames.Count == 0)
        {
            throw new ArgumentException("no frames to play", nameof(frames));
        }

        this.frames = frames;
        rate = framesPerSecond;
        var size = frames[0];
        Slot = new FrameSlot(() => new Frame(size.Width, size.Height), framesPerSecond > 0 ? FrameHandoff.LatestWins : FrameHandoff.Lossless) { Signal = signal };
        thread = new Thread(Loop) { IsBackground = true, Name = $"edge-player-{index}" };
    }

    public FrameSlot Slot { get; }

    /// <summary>Frames handed to the slot so far.</summary>
    public long Played => Interlocked.Read(ref played);

    /// <summary>Bytes the player thread allocated while playing (known once it has stopped).</summary>
    public long AllocatedBytes => Interlocked.Read(ref allocatedBytes);

    public void Start() => thread.Start();

    /// <summary>Stops playing and completes the slot: the scheduler gets the last frame, then the end of the stream.</summary>
    public void Stop() => stop.Cancel();

    public void Dispose()
    {
        stop.Cancel();
        if (thread.IsAlive)
        {
            thread.Join();
        }

        stop.Dispose();
    }

    private void Loop()
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        var next = 0;
        for (long i = 0; !stop.IsCancellationRequested; i++)
        {
            if (rate > 0 && !WaitUntil(start + (long)(i * Stopwatch.Frequency / rate)))
            {
                break;
            }

            var frame = Slot.SpareForWriter;
            frame.CopyFrom(frames[next]);
            next = (next + 1) % frames.Count;
            frame.Sequence = i + 1;
            frame.CapturedAt = Stopwatch.GetTimestamp();
            if (!Slot.Publish(stop.Token))
            {
                break;
            }

            Interlocked.Increment(ref played);
        }

        Interlocked.Add(ref allocatedBytes, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
        Slot.Complete();
    }

    /// <summary>Waits for a <see cref="Stopwatch"/> timestamp; false when stopped first.</summary>
    private bool WaitUntil(long timestamp)
    {
        var remaining = timestamp - Stopwatch.GetTimestamp();
        if (remaining <= 0)
        {
            return !stop.IsCancellationRequested;
        }

        return !stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(remaining / (double)Stopwatch.Frequency));
    }
}
