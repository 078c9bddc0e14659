namespace Edge.Server.Hosting;

/// <summary>
/// The bounds Kestrel holds every client to, so that slow, stuck or crowding clients cost only their own connection:
/// a supervisor probing <c>/healthz</c> must keep getting answers. Defaults suit a scraper and a few probes on a device.
/// </summary>
public sealed record ServerLimits
{
    /// <summary>A client that has not sent its whole request head by then is disconnected (a trickling or stuck client).</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An idle keep-alive connection is closed after this.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Connections open at once; more are refused. Above what a crowd of scrapers and probes needs.</summary>
    public long MaxConcurrentConnections { get; init; } = 1024;

    /// <summary>
    /// Connections upgraded to WebSockets (live view viewers) open at once, counted apart from
    /// <see cref="MaxConcurrentConnections"/>; more are refused. Each holds a connection for as long as someone watches.
    /// </summary>
    public long MaxConcurrentUpgradedConnections { get; init; } = 32;

    /// <summary>The request line plus headers; scrapes and probes send a few hundred bytes.</summary>
    public int MaxRequestHeadersTotalSize { get; init; } = 8 * 1024;

    /// <summary>
    /// The body of a request to a route that names no limit of its own; metrics and health take none (a little slack
    /// for clients that send an empty form anyway). Routes that take bodies raise it for themselves (the control API
    /// to 64 KiB) through <see cref="BodySizeLimit"/> metadata.
    /// </summary>
    public long MaxRequestBodySize { get; init; } = 1024;

    /// <summary>Requests a second one client address may make to rate-limited routes (<see cref="ServerRateLimit"/>), sustained.</summary>
    public int RequestsPerSecondPerClient { get; init; } = 20;

    /// <summary>Requests one client address may make at once to rate-limited routes before the sustained rate applies.</summary>
    public int RequestBurstPerClient { get; init; } = 40;

    /// <summary>Bytes per second below which a body upload or a response read is cut off (after a grace period).</summary>
    public double MinDataRateBytesPerSecond { get; init; } = 240;

    /// <summary>How long a connection may stay below <see cref="MinDataRateBytesPerSecond"/> before it is cut off.</summary>
    public TimeSpan MinDataRateGracePeriod { get; init; } = TimeSpan.FromSeconds(5);
}
