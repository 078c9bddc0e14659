using Edge.Runtime.Pipeline;

namespace Edge.Server.LiveView;

/// <summary>
/// The live view's hold on one stream and head. On the frame thread, <see cref="Offer"/> copies a frame into a reused
/// buffer, only while someone watches and at most at the configured rate; the newest copy waits for the encoder
/// (latest-frame-wins: a copy the encoder has not taken yet is overwritten). The encoder publishes each JPEG here, and
/// it goes to every viewer of the tap, each of which keeps only the newest it has not sent.
/// </summary>
internal sealed class FrameTap
{
    private readonly Lock handoff = new();
    private readonly Lock viewersGate = new();
    private readonly long interval;
    private TappedFrame writing = new();
    private TappedFrame waiting = new();
    private TappedFrame encoding = new();
    private bool hasWaiting;
    private bool tappedAny;
    private long lastTappedAt;
    private int watchers;
    private long snapshotWantedUntil = long.MinValue;
    private long tapped;
    private long encoded;
    private LiveViewer[] viewers = [];
    private EncodedFrame? latest;
    private TaskCompletionSource<EncodedFrame> next = NewWaiter();

    /// <param name="interval">The shortest time between two tapped frames, in timestamp units.</param>
    public FrameTap(string stream, string head, long interval)
    {
        Stream = stream;
        Head = head;
        this.interval = interval;
    }

    public string Stream { get; }

    public string Head { get; }

    /// <summary>Frames copied on the frame thread.</summary>
    public long Tapped => Interlocked.Read(ref tapped);

    /// <summary>Frames encoded to JPEG.</summary>
    public long Encoded => Interlocked.Read(ref encoded);

    /// <summary>The newest JPEG, or null before the first.</summary>
    public EncodedFrame? Latest => Volatile.Read(ref latest);

    public IReadOnlyList<LiveViewer> Viewers => Volatile.Read(ref viewers);

    /// <summary>Whether anyone watches (a viewer, or a snapshot request still lingering).</summary>
    public bool IsWatched(long now) => Volatile.Read(ref watchers) > 0 || now < Interlocked.Read(ref snapshotWantedUntil);

    /// <summary>
    /// On the frame thread: copies the frame when it is watched and due. A frame without a label set (dropped, skipped,
    /// cancelled) is taken only when no labelled frame came for two intervals, so the overlay rarely goes blank while
    /// frames are labelled. True when the frame was taken and the encoder should be woken.
    /// </summary>
    public bool Offer(in FrameReport report, long now)
    {
        if (report.Image is not { } image || !IsWatched(now))
        {
            return false;
        }

        if (tappedAny)
        {
            // An eighth of slack: a camera at exactly twice the cap would otherwise lose every other due frame to jitter.
            var since = now - lastTappedAt;
            var due = interval - (interval / 8);
            if (since < due || (report.Labels is null && since < 2 * due))
            {
                return false;
            }
        }

        tappedAny = true;
        lastTappedAt = now;
        writing.CopyFrom(report, image, now);
        lock (handoff)
        {
            (writing, waiting) = (waiting, writing);
            hasWaiting = true;

            // The three buffers grow together (here, and in TakeWaiting on the encoder thread), so a larger frame
            // costs allocations on the frame that brings it, not on later ones as each buffer comes round.
            writing.Reserve(waiting);
        }

        Interlocked.Increment(ref tapped);
        return true;
    }

    /// <summary>On the encoder thread: the newest tapped frame not yet taken, or null. Valid until the next call.</summary>
    public TappedFrame? TakeWaiting()
    {
        lock (handoff)
        {
            if (!hasWaiting)
            {
                return null;
            }

            (encoding, waiting) = (waiting, encoding);
            hasWaiting = false;
            waiting.Reserve(encoding);
            return encoding;
        }
    }

    /// <summary>On the encoder thread: the JPEG of a tapped frame, to every viewer and snapshot waiting for it.</summary>
    public void Publish(EncodedFrame frame)
    {
        Interlocked.Increment(ref encoded);
        Volatile.Write(ref latest, frame);
        Interlocked.Exchange(ref next, NewWaiter()).TrySetResult(frame);
        foreach (var viewer in Volatile.Read(ref viewers))
        {
            viewer.Offer(frame);
        }
    }

    /// <summary>A JPEG encoded after this call (a snapshot keeps the tap watched until <paramref name="wantedUntil"/>).</summary>
    public Task<EncodedFrame> NextEncoded(long wantedUntil)
    {
        var waiter = Volatile.Read(ref next).Task;
        long current;
        do
        {
            current = Interlocked.Read(ref snapshotWantedUntil);
        }
        while (current < wantedUntil && Interlocked.CompareExchange(ref snapshotWantedUntil, wantedUntil, current) != current);

        return waiter;
    }

    public void Add(LiveViewer viewer)
    {
        lock (viewersGate)
        {
            viewers = [.. viewers, viewer];
        }

        Interlocked.Increment(ref watchers);
    }

    public void Remove(LiveViewer viewer)
    {
        lock (viewersGate)
        {
            var index = Array.IndexOf(viewers, viewer);
            if (index < 0)
            {
                return;
            }

            viewers = [.. viewers.AsSpan(0, index), .. viewers.AsSpan(index + 1)];
        }

        Interlocked.Decrement(ref watchers);
    }

    private static TaskCompletionSource<EncodedFrame> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
