namespace Edge.Camera.Sources.Network;

/// <summary>Turns a GStreamer error into one line that names its cause (unauthorised, refused, not found, ...).</summary>
internal static class StreamFailure
{
    private const string ResourceDomain = "gst-resource-error-quark";
    private const int ResourceNotFound = 3;
    private const int ResourceNotAuthorized = 15;

    public static string Describe(string domain, int code, string message, string debug)
    {
        var detail = $"{message} {debug}";
        if ((domain == ResourceDomain && code == ResourceNotAuthorized) || Has(detail, "Unauthorized"))
        {
            return "401 unauthorized: the server refused the user name and password (give them as rtsp://user:password@host/path)";
        }

        if (Has(detail, "Connection refused"))
        {
            return "connection refused: nothing listens on that host and port";
        }

        if ((domain == ResourceDomain && code == ResourceNotFound) || Has(detail, "Not Found"))
        {
            return "404 not found: the server has no stream at that path";
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

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? string.Empty : lines[^1];
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
