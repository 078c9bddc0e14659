using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Publishing;

/// <summary>Where a label set comes from, written into each one: the device, the stream and its source.</summary>
public sealed record MessageOrigin
{
    /// <param name="device">The device id (<c>device</c> setting).</param>
    /// <param name="stream">The stream id (<see cref="StreamId"/>).</param>
    /// <param name="source">The source as it may be shown: credentials already masked.</param>
    public MessageOrigin(string device, string stream, string source)
    {
        Device = device;
        Stream = StreamId.Checked(stream, nameof(stream));
        Source = source;
    }

    public string Device { get; }

    public string Stream { get; }

    public string Source { get; }
}
