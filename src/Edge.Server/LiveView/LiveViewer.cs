using System.Threading.Channels;

namespace Edge.Server.LiveView;

/// <summary>
/// One person watching one stream (a WebSocket or an MJPEG response). It holds the newest frame it has not sent yet and
/// a bounded queue of events, both dropping the oldest when full: whatever its connection does, the encoder's
/// <see cref="Offer(EncodedFrame)"/> never waits. <see cref="RunAsync"/> sends on the connection's own task.
/// </summary>
internal sealed class LiveViewer
{
    /// <summary>Events a viewer may fall behind by before the oldest are dropped.</summary>
    public const int EventQueueLength = 64;

    private readonly Channel<EncodedFrame> frames;
    private readonly Channel<ReadOnlyMemory<byte>>? events;
    private long sent;
    private long dropped;
    private long liveEventsFrom = long.MaxValue;

    /// <param name="kind">How it watches (<c>websocket</c> or <c>mjpeg</c>), for the page and tests.</param>
    /// <param name="wantsEvents">Whether events are queued for it (a WebSocket shows them; MJPEG cannot carry them).</param>
    public LiveViewer(string kind, bool wantsEvents)
    {
        Kind = kind;
        frames = Channel.CreateBounded<EncodedFrame>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true }, _ => Interlocked.Increment(ref dropped));
        events = wantsEvents
            ? Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(EventQueueLength) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true })
            : null;
    }

    public string Kind { get; }

    /// <summary>The number of the first event it gets as it happens (set once it watches); earlier ones are its backlog.</summary>
    public long LiveEventsFrom
    {
        get => Interlocked.Read(ref liveEventsFrom);
        set => Interlocked.Exchange(ref liveEventsFrom, value);
    }

    /// <summary>Frames handed to the connection.</summary>
    public long Sent => Interlocked.Read(ref sent);

    /// <summary>Frames replaced by a newer one before the connection took them (the viewer was slower than the stream).</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>The newest frame for this viewer; an older one not yet sent is dropped. Never waits.</summary>
    public void Offer(EncodedFrame frame) => frames.Writer.TryWrite(frame);

    /// <summary>An <c>edge.event/1</c> message for this viewer (ignored when it does not show events). Never waits.</summary>
    public void Offer(ReadOnlyMemory<byte> eventMessage) => events?.Writer.TryWrite(eventMessage);

    /// <summary>
    /// Sends events and frames as they come until <paramref name="cancellationToken"/> fires or a send fails. A send that
    /// takes longer than <paramref name="sendTimeout"/> (a viewer that stopped reading) ends it with <see cref="TimeoutException"/>.
    /// </summary>
    public async Task RunAsync(Func<EncodedFrame, CancellationToken, Task> sendFrame, Func<ReadOnlyMemory<byte>, CancellationToken, Task> sendEvent, TimeSpan sendTimeout, CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<bool>? frameReady = null;
        Task<bool>? eventReady = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Events first: they are small, and a label turning on should reach the log before the next picture.
                while (events is not null && events.Reader.TryRead(out var message))
                {
                    await Send(sendEvent, message);
                }

                if (frames.Reader.TryRead(out var frame))
                {
                    await Send(sendFrame, frame);
                    Interlocked.Increment(ref sent);
                    continue;
                }

                frameReady ??= frames.Reader.WaitToReadAsync(cancellationToken).AsTask();
                eventReady ??= events?.Reader.WaitToReadAsync(cancellationToken).AsTask();
                var ready = eventReady is null ? await frameReady : await await Task.WhenAny(frameReady, eventReady);
                if (!ready)
                {
                    return;
                }

                frameReady = frameReady.IsCompleted ? null : frameReady;
                eventReady = eventReady is { IsCompleted: true } ? null : eventReady;
            }
        }
        finally
        {
            timeout.Dispose();
        }

        async Task Send<T>(Func<T, CancellationToken, Task> send, T item)
        {
            if (!timeout.TryReset())
            {
                timeout.Dispose();
                timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            }

            timeout.CancelAfter(sendTimeout);
            try
            {
                await send(item, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"the viewer took no data for {sendTimeout.TotalSeconds:0.#} s");
            }
        }
    }

    /// <summary>No more frames or events: <see cref="RunAsync"/> returns once it has sent what it holds.</summary>
    public void Complete()
    {
        frames.Writer.TryComplete();
        events?.Writer.TryComplete();
    }
}
