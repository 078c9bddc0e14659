using System.Net.Sockets;

namespace Edge.Camera.Sources.Network;

/// <summary>Turns a GStreamer error into one line that names its cause (unauthorised, refused, not found, ...).</summary>
internal static class StreamFailure
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    private const string ResourceDomain = "gst-resource-error-quark";
    private const int ResourceNotFound = 3;
    private const int ResourceNotAuthorized = 15;

    public static string Describe(StreamLocation location, string domain, int code, string message, string debug)
    {
        var detail = $"{message} {debug}";
        if (Has(detail, "Failed to connect"))
        {
            // rtspsrc says only "Failed to connect. (Generic error)": connect once more to learn why.
            return ProbeConnection(location);
        }

        if ((domain == ResourceDomain && code == ResourceNotAuthorized) || Has(detail, "Unauthorized"))
        {
            return $"401 unauthorized: the server refused the user name and password (give them as {location.UrlScheme}://user:password@host/path)";
        }

        if (Has(detail, "Connection refused"))
        {
            return "connection refused: nothing listens on that host and port";
        }

        if ((domain == ResourceDomain && code == ResourceNotFound) || Has(detail, "Not Found"))
        {
            return "404 not found: the server has no stream at that path";
        }

        if (Has(detail, "not-linked"))
        {
            return "no video track: the stream offers only tracks that are not video (audio or data)";
        }

        if (Has(detail, "resolve") || Has(detail, "Name or service not known"))
        {
            return $"the host name cannot be resolved ({OneLine(message)})";
        }

        if (Has(detail, "timed out") || Has(detail, "timeout"))
        {
            return $"timed out ({OneLine(message)})";
        }

        if (Has(detail, "missing a plug-in") || Has(detail, "No decoder"))
        {
            return $"no decoder for the stream's video ({OneLine(message)}): install {GStreamerLibrary.Packages}";
        }

        return OneLine(debug.Length > 0 ? $"{message} ({LastLine(debug)})" : message);
    }

    /// <summary>Why no frame came within <paramref name="waited"/> of opening: the connection's fault, or the server's.</summary>
    public static string NoFrame(StreamLocation location, TimeSpan waited) =>
        ProbeConnection(location, $"the server accepts connections but sent no decodable video within {waited.TotalSeconds:0} s (check the path, and that the stream has a video track)");

    /// <summary>Why a TCP connection to the stream's host and port fails, as the operating system reports it, or
    /// <paramref name="whenConnected"/> when it does not.</summary>
    private static string ProbeConnection(StreamLocation location, string? whenConnected = null)
    {
        var (host, port) = location.Endpoint;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(ProbeTimeout);
            socket.ConnectAsync(host, port, timeout.Token).AsTask().GetAwaiter().GetResult();
            return whenConnected ?? $"the server at {host}:{port} accepts connections but the stream's session failed";
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return "connection refused: nothing listens on that host and port";
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData)
        {
            return $"the host name {host} cannot be resolved";
        }
        catch (SocketException e)
        {
            return $"cannot connect to {host}:{port} ({e.SocketErrorCode}: {e.Message})";
        }
        catch (OperationCanceledException)
        {
            return $"timed out connecting to {host}:{port} (no answer within {ProbeTimeout.TotalSeconds:0} s)";
        }
    }

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? string.Empty : lines[^1];
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
