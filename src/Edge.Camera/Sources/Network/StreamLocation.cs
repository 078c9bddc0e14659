namespace Edge.Camera.Sources.Network;

/// <summary>
/// A stream URL split for GStreamer: the URL without its user information (what the source element is given as
/// <c>location</c>), the user name and password (percent-decoded, given as properties) and the masked form for every
/// line a person or program reads.
/// </summary>
internal sealed record StreamLocation(string Scheme, string WithoutCredentials, string? User, string? Password, string Masked)
{
    public static StreamLocation Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var masked = SourceSpec.MaskCredentials(url);
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd < 0 ? string.Empty : url[..schemeEnd].ToLowerInvariant();
        var kind = scheme is "rtsp" or "rtsps"
            ? "rtsp"
            : throw new FrameSourceException($"source '{masked}' is not a stream URL: expected rtsp:// or rtsps://");

        var authorityStart = schemeEnd + 3;
        var authorityEnd = url.IndexOf('/', authorityStart);
        var at = url.LastIndexOf('@', authorityEnd < 0 ? url.Length - 1 : authorityEnd - 1);
        if (at < authorityStart)
        {
            return Checked(new StreamLocation(kind, url, null, null, masked));
        }

        var userInfo = url[authorityStart..at];
        var colon = userInfo.IndexOf(':');
        var user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
        var password = colon < 0 ? null : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        var host = url[(at + 1)..];
        if (host.Length == 0 || host[0] == '/')
        {
            throw new FrameSourceException($"source '{masked}' names no host after its credentials: expected {scheme}://user:password@host[:port]/path");
        }

        return Checked(new StreamLocation(kind, string.Concat(url.AsSpan(0, authorityStart), host), user, password, masked));
    }

    // Endpoint parses the URL when a connection fails: a URL it cannot parse must be refused here, as a source error.
    private static StreamLocation Checked(StreamLocation location) =>
        Uri.TryCreate(location.WithoutCredentials, UriKind.Absolute, out _)
            ? location
            : throw new FrameSourceException($"source '{location.Masked}' is not a valid URL: expected rtsp://[user:password@]host[:port]/path with a port up to 65535");

    /// <summary>The URL's own scheme in lower case: rtsp or rtsps.</summary>
    public string UrlScheme => WithoutCredentials[..WithoutCredentials.IndexOf("://", StringComparison.Ordinal)].ToLowerInvariant();

    /// <summary>The host and TCP port the stream is read from (the scheme's default port when the URL names none).</summary>
    public (string Host, int Port) Endpoint
    {
        get
        {
            var uri = new Uri(WithoutCredentials);
            var port = uri.Port > 0 ? uri.Port : uri.Scheme.Equals("rtsps", StringComparison.OrdinalIgnoreCase) ? 322 : 554;
            return (uri.IdnHost, port);
        }
    }

    public override string ToString() => Masked;
}
