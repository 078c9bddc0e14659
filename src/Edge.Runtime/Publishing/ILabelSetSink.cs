namespace Edge.Runtime.Publishing;

/// <summary>Where finished label-set messages go (JSON lines now; MQTT and others plug in here).</summary>
public interface ILabelSetSink : IDisposable
{
    /// <summary>Publishes one UTF-8 JSON message that ends in a newline. Must not block for long.</summary>
    void Publish(ReadOnlySpan<byte> message);
}
