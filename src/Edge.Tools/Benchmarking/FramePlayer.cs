using System.Diagnostics;
using Edge.Camera.Frames;

namespace Edge.Tools.Benchmarking;

/// <summary>
/// Plays preloaded frames into a <see cref="FrameSlot"/> on its own thread ("edge-player"), as a camera would,
/// stamping each with the time it is handed over, so decoding or rendering frames costs nothing during the
/// measurement (the way Isaac ROS Benchmark plays a preloaded recording). At a fixed rate frames follow an absolute
/// schedule; at <c>--rate max</c> the next frame is handed over as soon as the pipeline finished the previous one.
/// </summary>
internal sealed class FramePlayer : IDisposable
{
    private readonly IReadOnlyList<Frame> frames;
    private readonly object gate = new();
    private readonly Thread thread;
    private FrameSlot? slot;
    private int remaining;
    private double rate;
    private long nextSequence;
    private int nextFrame;
    private bool credit;
    private bool disposed;
    private long allocatedBytes;

    public FramePlayer(IReadOnlyList<Frame> frames)
    {
        if (frames.Count == 0)
        {
            throw new ArgumentException("no frames to play", nameof(frames));
        }

        this.frames = frames;
        thread = new Thread(Loop) { IsBackground = true, Name = "edge-player" };
        thread.Start();
    }

    /// <summary>Bytes the player thread allocated while playing (added at the end of each block).</summary>
    public long AllocatedBytes => Interlocked.Read(ref allocatedBytes);

    /// <summary>Starts handing <paramref name="count"/> frames to <paramref name="target"/>: at <paramref name="framesPerSecond"/>, or, when 0, one per <see cref="FrameDone"/>.</summary>
    public void Play(FrameSlot target, int count, double framesPerSecond)
    {
        lock (gate)
        {
            slot = target;
            remaining = count;
            rate = framesPerSecond;
            credit = true; // the first frame goes at once
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>At <c>--rate max</c>: the pipeline finished a frame, hand over the next.</summary>
    public void FrameDone()
    {
        lock (gate)
        {
            credit = true;
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>Waits until the block being played has been handed over completely and accounted for.</summary>
    public void WaitForBlockEnd()
    {
        lock (gate)
        {
            while (remaining != 0 && !disposed)
            {
                Monitor.Wait(gate);
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            Monitor.PulseAll(gate);
        }

        thread.Join();
    }

    private void Loop()
    {
        while (true)
        {
            FrameSlot target;
            int count;
            double fps;
            lock (gate)
            {
                while (!disposed && remaining == 0)
                {
                    Monitor.Wait(gate);
                }

                if (disposed)
                {
                    return;
                }

                target = slot!;
                count = remaining;
                fps = rate;
            }

            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            PlayBlock(target, count, fps);
            Interlocked.Add(ref allocatedBytes, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
            lock (gate)
            {
                remaining = 0;
                Monitor.PulseAll(gate);
            }
        }
    }

    private void PlayBlock(FrameSlot target, int count, double fps)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            if (fps > 0)
            {
                WaitUntil(start + (long)(i * Stopwatch.Frequency / fps));
            }
            else if (!WaitForCredit())
            {
                return;
            }

            var frame = target.SpareForWriter;
            frame.CopyFrom(frames[nextFrame]);
            nextFrame = (nextFrame + 1) % frames.Count;
            frame.Sequence = ++nextSequence;
            frame.CapturedAt = Stopwatch.GetTimestamp();
            target.Publish();
        }
    }

    private bool WaitForCredit()
    {
        lock (gate)
        {
            while (!credit && !disposed)
            {
                Monitor.Wait(gate);
            }

            credit = false;
            return !disposed;
        }
    }

    private void WaitUntil(long timestamp)
    {
        lock (gate)
        {
            while (!disposed)
            {
                var remainingTicks = timestamp - Stopwatch.GetTimestamp();
                if (remainingTicks <= 0)
                {
                    return;
                }

                Monitor.Wait(gate, (int)Math.Ceiling(remainingTicks * 1000.0 / Stopwatch.Frequency));
            }
        }
    }
}
