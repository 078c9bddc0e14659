namespace Edge.Runtime.Publishing;

/// <summary>Where finished label-set messages go (JSON lines now; MQTT and others plug in here).</summary>
public interface ILabelSetSink : IDisposable
{
    /// <summary>Publishes one UTF-8 JSON message that ends in a newline. Must not block for long.</summary>
    void Publish(ReadOnlySpan<byte> message);
}

/// <summary>Writes JSON lines to a stream (stdout or a file), flushed per message so readers see each frame at once.</summary>
public sealed class JsonLinesSink(Stream stream, bool ownsStream) : ILabelSetSink
{
    public static JsonLinesSink Open(string target)
    {
        if (target == "-")
        {
            return new JsonLinesSink(Console.OpenStandardOutput(), ownsStream: true);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(target));
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"--output folder '{directory}' does not exist: expected - (stdout) or a file in an existing folder");
        }

        return new JsonLinesSink(new FileStream(target, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16), ownsStream: true);
    }

    public void Publish(ReadOnlySpan<byte> message)
    {
        stream.Write(message);
        stream.Flush();
    }

    public void Dispose()
    {
        if (ownsStream)
        {
            stream.Dispose();
        }
    }
}
