using Edge.Camera.Capture;
using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Runtime.Events;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging;

namespace Edge.Runtime.Pipeline;

/// <summary>
/// One camera stream up to the hand-off: its source, the <see cref="FrameSlot"/> frames wait in and the
/// <see cref="CaptureLoop"/> that fills it, under a stream id. A <see cref="FramePipeline"/> takes frames from
/// <see cref="Slot"/>. The camera's losses and recoveries are published as <c>camera_lost</c> and
/// <c>camera_recovered</c>, carrying the stream id.
/// </summary>
public sealed class CameraPipeline : Control.IStreamCamera
{
    private readonly CaptureLoop capture;
    private readonly IFrameOutput? events;

    /// <param name="stream">The stream id (<see cref="StreamId"/>).</param>
    /// <param name="sourceText">The source as configured; shown (credentials masked) in events.</param>
    /// <param name="source">The source <paramref name="sourceText"/> names, not yet opened; owned from here on.</param>
    /// <param name="createFrame">Creates the slot's frames (sized for the model input).</param>
    /// <param name="events">Receives camera lost / recovered events, on the capture thread.</param>
    /// <param name="signal">Set whenever the slot gets a frame (a <see cref="BatchScheduler"/> serving several streams waits on it).</param>
    public CameraPipeline(string stream, string sourceText, IFrameSource source, Func<Frame> createFrame, TimeProvider time, ILogger logger, IFrameOutput? events = null, ReconnectPolicy? reconnect = null, FrameSignal? signal = null)
    {
        this.events = events;
        Stream = StreamId.Checked(stream, nameof(stream));
        Source = SourceSpec.MaskCredentials(sourceText);
        Handoff = source.Handoff;
        Slot = new FrameSlot(createFrame, source.Handoff) { Signal = signal };
        capture = new CaptureLoop(source, Slot, time, logger, reconnect) { ConnectionChanged = connected => OnConnectionChanged(connected, time) };
    }

    public string Stream { get; }

    /// <summary>The source as configured, credentials masked.</summary>
    public string Source { get; }

    public FrameHandoff Handoff { get; }

    /// <summary>Where captured frames wait for the frame pipeline.</summary>
    public FrameSlot Slot { get; }

    /// <summary>Frames captured and handed to the slot.</summary>
    public long Captured => capture.FramesCaptured;

    /// <summary>Frames replaced in the slot before the frame pipeline took them (latest-frame-wins hand-off).</summary>
    public long Overwritten => Slot.Overwritten;

    /// <summary>Reads that failed and made the capture loop reconnect.</summary>
    public long ReadFailures => capture.ReadFailures;

    /// <summary>Times the source was lost and reopened.</summary>
    public long Reconnects => capture.Reconnects;

    /// <summary>Reopen attempts, successful or not.</summary>
    public long ReconnectAttempts => capture.ReconnectAttempts;

    /// <summary>Whether the source is open and delivering.</summary>
    public bool IsConnected => capture.IsConnected;

    /// <summary>The error that ended capture, once it has ended on one (see <see cref="CaptureLoop.Fault"/>).</summary>
    public FrameSourceException? Fault => capture.Fault;

    /// <summary>Set when the source ended before its own end (see <see cref="CaptureLoop.Incomplete"/>).</summary>
    public IncompleteSourceException? Incomplete => capture.Incomplete;

    /// <summary>
    /// Creates the source <paramref name="sourceText"/> names (<see cref="FrameSources.Create"/>; not yet opened).
    /// Throws <see cref="FrameSourceException"/> when the text names no source this build can read.
    /// </summary>
    /// <param name="fashionMnistFolder">Where the synthetic source finds Fashion-MNIST; null searches the usual places.</param>
    public static CameraPipeline Create(string stream, string sourceText, string? fashionMnistFolder, Func<Frame> createFrame, TimeProvider time, ILogger logger, IFrameOutput? events = null, FrameSignal? signal = null)
    {
        var source = FrameSources.Create(sourceText, fashionMnistFolder);
        try
        {
            return new CameraPipeline(stream, sourceText, source, createFrame, time, logger, events, signal: signal);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Opens the source on the calling thread (a camera that cannot be opened throws
    /// <see cref="FrameSourceException"/> here) and starts capturing on the capture thread.</summary>
    public void Start() => capture.Start();

    /// <summary>Stops capturing, closes the source and completes the slot, so the frame pipeline's loop ends.</summary>
    public void Stop() => capture.Stop();

    public void Dispose() => capture.Dispose();

    private void OnConnectionChanged(bool connected, TimeProvider time) => events?.OnEvent(new PipelineEvent
    {
        Kind = connected ? PipelineEventKind.CameraRecovered : PipelineEventKind.CameraLost,
        Stream = Stream,
        Frame = capture.FramesCaptured,
        At = time.GetUtcNow(),
        Source = Source,
    });
}
