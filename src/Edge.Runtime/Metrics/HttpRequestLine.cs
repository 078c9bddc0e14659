namespace Edge.Runtime.Metrics;

/// <summary>The request line of an HTTP/1.x request: all the metrics server needs from it.</summary>
internal readonly record struct HttpRequestLine(string Method, string Path)
{
    /// <summary>Parses <c>METHOD TARGET HTTP/1.x</c>; the query string, if any, is dropped from the path.</summary>
    public static bool TryParse(string head, out HttpRequestLine request)
    {
        request = default;
        var end = head.IndexOf("\r\n", StringComparison.Ordinal);
        var parts = (end < 0 ? head : head[..end]).Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || !parts[1].StartsWith('/') || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return false;
        }

        var query = parts[1].IndexOf('?', StringComparison.Ordinal);
        request = new HttpRequestLine(parts[0], query < 0 ? parts[1] : parts[1][..query]);
        return true;
    }
}
