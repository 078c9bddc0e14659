using Edge.Runtime.Events;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Publishing;

/// <summary>
/// Where results go (JSON lines, MQTT, GPIO, a display, metrics, the systemd watchdog, ...): every registered output
/// is told about each frame once, after its label set is serialised, and about each pipeline event after the frame
/// that caused it. Calls come on the frame thread, so they must return quickly and not allocate (hand slow work to
/// another thread); camera events come on the capture thread, so <see cref="OnEvent"/> must tolerate two threads.
/// </summary>
public interface IFrameOutput
{
    void OnFrame(in FrameReport report);

    /// <summary>A deadline miss, degrade step, label change or camera loss; most outputs ignore events.</summary>
    void OnEvent(in PipelineEvent pipelineEvent)
    {
    }

    /// <summary>
    /// A stream joined the running pipeline (Control.RuntimeControl): an output that keeps state per stream makes it
    /// now. Called off the frame thread, before the stream's first frame and its camera's first event.
    /// </summary>
    void OnStreamAdded(StreamOptions stream)
    {
    }

    /// <summary>
    /// A stream left the running pipeline: no frame or event of it comes any more. Called off the frame thread, after
    /// its last frame and its camera's last event.
    /// </summary>
    void OnStreamRemoved(string stream)
    {
    }
}
