using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Publishing;

/// <summary>Hands every label set to several sinks in order (stdout and MQTT, say); disposes them all.</summary>
public sealed class LabelSetFanOut(params ILabelSetSink[] sinks) : ILabelSetSink
{
    public void Publish(ReadOnlySpan<byte> message)
    {
        foreach (var sink in sinks)
        {
            sink.Publish(message);
        }
    }

    public void Dispose()
    {
        foreach (var sink in sinks)
        {
            sink.Dispose();
        }
    }
}

/// <summary>Tells several observers about every frame.</summary>
public sealed class FrameObserverFanOut(params IFrameObserver[] observers) : IFrameObserver
{
    public void OnFrame(in FrameReport report)
    {
        foreach (var observer in observers)
        {
            observer.OnFrame(report);
        }
    }
}
