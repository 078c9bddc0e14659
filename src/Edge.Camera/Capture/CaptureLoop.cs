using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Microsoft.Extensions.Logging;

namespace Edge.Camera.Capture;

/// <summary>
/// Reads a source on its own thread ("edge-capture") and publishes every frame to a <see cref="FrameSlot"/>,
/// stamped with a sequence number and the capture time. Keeps going through camera trouble: a failed read closes the
/// source and reopens it with back-off (<see cref="ReconnectPolicy"/>) until it delivers again. Ends, completing the
/// slot, when the source reaches its end, on an error reconnecting cannot fix (<see cref="Fault"/>), or on
/// <see cref="Stop"/>.
/// </summary>
/// <remarks>
/// All waiting (pacing to <see cref="IFrameSource.PacingFps"/> and back-off) goes through one timer created from the
/// injected <see cref="TimeProvider"/> and one event, so a fake clock drives it in tests and nothing is allocated per
/// frame. Pacing follows an absolute schedule (frame n is due at start + n / fps), so waking late does not drift the
/// rate; a loop that falls more than one period behind restarts the schedule instead of bursting to catch up.
/// Frame timestamps and sequence numbers start at the first frame read: <see cref="Frame.Sequence"/> is 1 for it.
/// </remarks>
public sealed partial class CaptureLoop : IDisposable
{
    /// <summary>How long <see cref="Stop"/> waits for a read in progress to return.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly IFrameSource source;
    private readonly FrameSlot slot;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly ReconnectPolicy policy;
    private readonly ManualResetEventSlim wake = new(false);
    private readonly CancellationTokenSource stoppingToken = new();
    private readonly ITimer timer;
    private readonly Lock lifecycle = new();
    private Thread? thread;
    private bool started;
    private bool stopped;
    private volatile bool stopping;
    private volatile bool connected;
    private volatile bool waiting;
    private volatile FrameSourceException? fault;
    private volatile IncompleteSourceException? incomplete;
    private long framesCaptured;
    private long reconnects;
    private long reconnectAttempts;
    private long readFailures;
    private long allocatedBytes;

    // Capture-thread state.
    private int attemptsSinceFrame;
    private double periodTicks;
    private long scheduleStart;
    private long scheduledFrames;

    public CaptureLoop(IFrameSource source, FrameSlot slot, TimeProvider time, ILogger logger, ReconnectPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        this.source = source;
        this.slot = slot;
        this.time = time;
        this.logger = logger;
        this.policy = policy ?? ReconnectPolicy.Default;
        this.policy.Validate();
        timer = time.CreateTimer(static state => Wake((ManualResetEventSlim)state!), wake, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // ManualResetEventSlim allocates its lock object the first time a wait really blocks. On a busy machine that
        // first block can come long after warm-up, as one stray 24-byte allocation on the capture thread: block once now.
        wake.Wait(TimeSpan.FromMilliseconds(1));
    }

    /// <summary>Frames read and published (the last frame's <see cref="Frame.Sequence"/>).</summary>
    public long FramesCaptured => Interlocked.Read(ref framesCaptured);

    /// <summary>Times the source was lost and successfully reopened.</summary>
    public long Reconnects => Interlocked.Read(ref reconnects);

    /// <summary>Reopen attempts, successful or not.</summary>
    public long ReconnectAttempts => Interlocked.Read(ref reconnectAttempts);

    /// <summary>Reads that failed (a <see cref="FrameReadResult.Failed"/> result or an exception) and caused a reconnect.</summary>
    public long ReadFailures => Interlocked.Read(ref readFailures);

    /// <summary>Whether the source is open and delivering (false while reconnecting and after the loop ended).</summary>
    public bool IsConnected => connected;

    /// <summary>Whether the capture thread is still running.</summary>
    public bool IsRunning => thread is { IsAlive: true };

    /// <summary>
    /// The error that ended the loop: a <see cref="FrameSourceException"/> thrown by a read, or the last reopen error once
    /// <see cref="ReconnectPolicy.MaxAttempts"/> ran out. Null while running and after a clean end.
    /// </summary>
    public FrameSourceException? Fault => fault;

    /// <summary>
    /// Set when the source ended before its own end (a truncated or corrupt video file): the loop ended like at the end
    /// of the stream, every frame read was published, and this says what was missing. Null otherwise.
    /// </summary>
    public IncompleteSourceException? Incomplete => incomplete;

    /// <summary>Called on the capture thread when the source is lost (false) and when it delivers again (true).</summary>
    public Action<bool>? ConnectionChanged { get; init; }

    /// <summary>For tests: whether the capture thread is blocked in a pacing or back-off wait.</summary>
    internal bool IsWaiting => waiting;

    /// <summary>For tests: bytes allocated by the capture thread, sampled after each published frame.</summary>
    internal long CaptureThreadAllocatedBytes => Interlocked.Read(ref allocatedBytes);

    /// <summary>
    /// Opens the source on the calling thread, so that a camera that cannot be opened fails start-up with its
    /// <see cref="FrameSourceException"/>, then starts reading on the capture thread.
    /// </summary>
    public void Start()
    {
        lock (lifecycle)
        {
            ObjectDisposedException.ThrowIf(stopped, this);
            if (started)
            {
                throw new InvalidOperationException("The capture loop has already been started.");
            }

            source.Open();
            connected = true;
            started = true;
            LogStarted(source.Description);
            thread = new Thread(Run) { IsBackground = true, Name = "edge-capture" };
            thread.Start();
        }
    }

    /// <summary>Waits for the capture thread to end on its own (end of stream or fault); true when it has.</summary>
    public bool WaitForExit(TimeSpan timeout) => thread is not { } running || running.Join(timeout);

    /// <summary>Stops reading, waits for the capture thread, closes and disposes the source and completes the slot.</summary>
    public void Stop()
    {
        lock (lifecycle)
        {
            if (stopped)
            {
                return;
            }

            stopped = true;
            stopping = true;
            wake.Set();
            stoppingToken.Cancel();
            var joined = thread is null || thread == Thread.CurrentThread || thread.Join(StopTimeout);
            if (!joined)
            {
                // Closing a source under a read still in progress could crash in native code; leave it to the process exit.
                LogStuck(source.Description, StopTimeout);
                slot.Complete();
                return;
            }

            try
            {
                source.Close();
            }
            catch (Exception e)
            {
                LogCloseFailed(e, source.Description);
            }

            source.Dispose();
            connected = false;
            slot.Complete();
            timer.Dispose();
            wake.Dispose();
            stoppingToken.Dispose();
        }
    }

    public void Dispose() => Stop();

    private void Run()
    {
        try
        {
            ResetSchedule();
            while (!stopping)
            {
                if (!connected && !Reconnect())
                {
                    break;
                }

                if (periodTicks > 0 && !WaitForNextFrame())
                {
                    break;
                }

                var frame = slot.SpareForWriter;
                FrameReadResult result;
                try
                {
                    result = source.Read(frame);
                }
                catch (FrameSourceException e)
                {
                    fault = e;
                    LogFatal(source.Description, e.Message);
                    break;
                }
                catch (IncompleteSourceException e)
                {
                    incomplete = e;
                    LogIncomplete(source.Description, FramesCaptured, e.Message);
                    break;
                }
                catch (Exception e)
                {
                    LogReadException(source.Description, e.Message);
                    result = FrameReadResult.Failed;
                }

                if (result == FrameReadResult.Frame)
                {
                    frame.CapturedAt = time.GetTimestamp();
                    frame.Sequence = FramesCaptured + 1;

                    // A lossless slot blocks here until the pipeline has taken the previous frame (Stop cancels the wait).
                    if (!slot.Publish(stoppingToken.Token))
                    {
                        break;
                    }

                    Interlocked.Increment(ref framesCaptured);
                    attemptsSinceFrame = 0;
                    Interlocked.Exchange(ref allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
                }
                else if (result == FrameReadResult.EndOfStream)
                {
                    LogEnded(source.Description, FramesCaptured);
                    break;
                }
                else
                {
                    Interlocked.Increment(ref readFailures);
                    connected = false;
                    LogLost(source.Description, source.FailureReason ?? "no frame", policy.DelayBefore(attemptsSinceFrame + 1));
                    ConnectionChanged?.Invoke(false);
                    CloseQuietly();
                }
            }
        }
        catch (Exception e)
        {
            // A bug in the loop itself or in the slot: end the stream rather than the process.
            fault = new FrameSourceException($"capture of {source.Description} stopped unexpectedly: {e.Message}", e);
            LogFatal(source.Description, e.Message);
        }
        finally
        {
            connected = false;
            slot.Complete();
        }
    }

    /// <summary>Reopens the source with back-off; false when stopping or when the attempts ran out (see Fault).</summary>
    private bool Reconnect()
    {
        string? lastError = null;
        while (!stopping)
        {
            if (policy.MaxAttempts is { } max && attemptsSinceFrame >= max)
            {
                var error = new FrameSourceException(
                    $"camera {source.Description} was lost and did not come back after {max} reconnect attempts: {lastError ?? "it opened but delivered no frame"}");
                fault = error;
                LogGaveUp(source.Description, max);
                return false;
            }

            attemptsSinceFrame++;
            if (!WaitUntil(time.GetTimestamp() + ToTimestampTicks(policy.DelayBefore(attemptsSinceFrame))))
            {
                return false;
            }

            Interlocked.Increment(ref reconnectAttempts);
            try
            {
                source.Open();
            }
            catch (Exception e)
            {
                lastError = e.Message;
                CloseQuietly();
                LogReopenFailed(source.Description, attemptsSinceFrame, e.Message, policy.DelayBefore(attemptsSinceFrame + 1));
                continue;
            }

            connected = true;
            Interlocked.Increment(ref reconnects);
            LogRecovered(source.Description, attemptsSinceFrame);
            ConnectionChanged?.Invoke(true);
            ResetSchedule();
            return true;
        }

        return false;
    }

    private bool WaitForNextFrame()
    {
        var due = scheduleStart + (long)(scheduledFrames * periodTicks);
        if (!WaitUntil(due))
        {
            return false;
        }

        scheduledFrames++;
        var now = time.GetTimestamp();
        if (now - due > periodTicks)
        {
            // More than a period late (a slow read, a stall): this frame starts a new schedule instead of the loop
            // bursting through the frames it missed.
            scheduleStart = now;
            scheduledFrames = 1;
        }

        return true;
    }

    private void ResetSchedule()
    {
        var fps = source.PacingFps;
        periodTicks = fps is > 0 ? time.TimestampFrequency / fps.Value : 0;
        scheduleStart = time.GetTimestamp();
        scheduledFrames = 0;
    }

    /// <summary>Blocks until the clock reaches <paramref name="dueTimestamp"/>; false when stopping.</summary>
    private bool WaitUntil(long dueTimestamp)
    {
        while (!stopping)
        {
            var remaining = dueTimestamp - time.GetTimestamp();
            if (remaining <= 0)
            {
                return true;
            }

            wake.Reset();
            if (stopping)
            {
                return false;
            }

            // Whole milliseconds, rounded up: system timers have millisecond resolution.
            var milliseconds = Math.Ceiling(remaining * 1000.0 / time.TimestampFrequency);
            timer.Change(TimeSpan.FromMilliseconds(milliseconds), Timeout.InfiniteTimeSpan);
            waiting = true;
            wake.Wait();
            waiting = false;
        }

        return false;
    }

    private static void Wake(ManualResetEventSlim wake)
    {
        try
        {
            wake.Set();
        }
        catch (ObjectDisposedException)
        {
            // A timer callback already in flight when Stop disposed the event: nothing is waiting any more.
        }
    }

    private long ToTimestampTicks(TimeSpan delay) => (long)Math.Ceiling(delay.TotalSeconds * time.TimestampFrequency);

    private void CloseQuietly()
    {
        try
        {
            source.Close();
        }
        catch (Exception e)
        {
            LogCloseFailed(e, source.Description);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "capture started: {Source}")]
    private partial void LogStarted(string source);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "camera lost: {Source} ({Reason}); reconnecting in {Delay}")]
    private partial void LogLost(string source, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "reading {Source} failed: {Reason}")]
    private partial void LogReadException(string source, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "camera {Source} did not reopen (attempt {Attempt}): {Reason}; next attempt in {Delay}")]
    private partial void LogReopenFailed(string source, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "camera recovered: {Source} after {Attempts} attempt(s)")]
    private partial void LogRecovered(string source, int attempts);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "capture of {Source} stopped: {Reason}")]
    private partial void LogFatal(string source, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "camera {Source} gave up after {Attempts} reconnect attempts")]
    private partial void LogGaveUp(string source, int attempts);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "source {Source} ended after {Frames} frames")]
    private partial void LogEnded(string source, long frames);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "source {Source} ended early after {Frames} frames: {Reason}")]
    private partial void LogIncomplete(string source, long frames, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "closing {Source} failed")]
    private partial void LogCloseFailed(Exception exception, string source);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "capture thread of {Source} did not stop within {Timeout}; the source is left open")]
    private partial void LogStuck(string source, TimeSpan timeout);
}
