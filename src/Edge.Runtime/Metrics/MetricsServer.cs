using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Edge.Runtime.Metrics;

/// <summary>
/// Serves <see cref="RuntimeMetrics"/> over HTTP: <c>GET /metrics</c> (Prometheus text format 0.0.4) and
/// <c>GET /healthz</c> (200 <c>ok</c> while frames keep arriving within <see cref="StaleAfter"/>, else 503 with the
/// reason). Connections are handled one at a time on a background thread; the frame thread is never involved.
/// </summary>
/// <remarks>
/// A minimal socket responder rather than <see cref="HttpListener"/>: on Linux, HttpListener matches each request's
/// Host header against its prefix, so a server bound to 0.0.0.0 or a LAN address would turn away a scrape addressed
/// by host name; it cannot bind port 0, and it reports a taken port as a generic listener error. Two GET routes that
/// close every connection need little of HTTP/1.1: the request line, a Content-Length and <c>Connection: close</c>.
/// </remarks>
public sealed class MetricsServer : IDisposable
{
    public const string DefaultEndpoint = "127.0.0.1:9108";

    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromSeconds(10);

    private const int MaxRequestHeadBytes = 8192;
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly RuntimeMetrics metrics;
    private readonly TimeSpan staleAfter = DefaultStaleAfter;
    private Socket? listener;
    private Thread? thread;
    private volatile bool stopping;

    /// <param name="metrics">What to serve; its <see cref="RuntimeMetrics.Time"/> also judges staleness for /healthz.</param>
    public MetricsServer(RuntimeMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        this.metrics = metrics;
    }

    /// <summary>How long after the last frame /healthz turns to 503.</summary>
    public TimeSpan StaleAfter
    {
        get => staleAfter;
        init => staleAfter = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), $"stale-after is {value}, expected a positive duration");
    }

    /// <summary>The address and port being served (the chosen port when started with port 0), or null before <see cref="Start"/>.</summary>
    public IPEndPoint? LocalEndpoint { get; private set; }

    /// <summary>Binds <paramref name="endpoint"/> (<c>HOST:PORT</c>, IPv6 in brackets, port 0 for any free port) and starts serving.</summary>
    /// <exception cref="MetricsConfigurationException">The endpoint is malformed, its port out of range, its host not resolvable, or it cannot be bound.</exception>
    public void Start(string endpoint = DefaultEndpoint)
    {
        ObjectDisposedException.ThrowIf(stopping, this);
        if (listener is not null)
        {
            throw new InvalidOperationException($"the metrics server is already serving {LocalEndpoint}");
        }

        var address = MetricsEndpoint.Resolve(endpoint);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(address);
            socket.Listen(16);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw BindFailure(address, e);
        }

        listener = socket;
        LocalEndpoint = (IPEndPoint)socket.LocalEndPoint!;
        var routes = new MetricsRoutes(metrics, StaleAfter);
        thread = new Thread(() => Serve(socket, routes)) { IsBackground = true, Name = "edge-metrics" };
        thread.Start();
    }

    /// <summary>Stops serving and frees the port; a request in progress finishes first (bounded by the client timeout).</summary>
    public void Dispose()
    {
        if (stopping)
        {
            return;
        }

        stopping = true;
        listener?.Dispose();
        thread?.Join(StopTimeout);
    }

    private static MetricsConfigurationException BindFailure(IPEndPoint address, SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => new($"metrics port {address.Port} on {address.Address} is already in use, expected a free port", e),
        SocketError.AddressNotAvailable => new($"metrics host {address.Address} is not an address of this machine, expected a local address (127.0.0.1 for loopback, 0.0.0.0 for every interface)", e),
        SocketError.AccessDenied => new($"metrics port {address.Port} on {address.Address} needs privileges to bind, expected a port above 1023", e),
        _ => new($"metrics endpoint {address} cannot be bound ({e.SocketErrorCode}: {e.Message}), expected a free local address and port", e),
    };

    private void Serve(Socket socket, MetricsRoutes routes)
    {
        while (!stopping)
        {
            Socket client;
            try
            {
                client = socket.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Disposing the listener is how the loop is told to stop; anything else is retried.
                if (stopping)
                {
                    return;
                }

                continue;
            }

            using (client)
            {
                try
                {
                    Handle(client, routes);
                }
                catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
                {
                    // A client that hung up or timed out costs only its own connection.
                }
            }
        }
    }

    private static void Handle(Socket client, MetricsRoutes routes)
    {
        client.ReceiveTimeout = (int)ClientTimeout.TotalMilliseconds;
        client.SendTimeout = (int)ClientTimeout.TotalMilliseconds;
        var request = default(HttpRequestLine);
        var parsed = ReadHead(client) is { } head && HttpRequestLine.TryParse(head, out request);
        var response = parsed
            ? routes.Respond(request)
            : HttpResponse.Text(400, "Bad Request", $"bad request, expected an HTTP/1.x request line within {MaxRequestHeadBytes} bytes");
        client.Send(response.Encode(includeBody: !(parsed && request.Method == "HEAD")));
        client.Shutdown(SocketShutdown.Send);
        DrainUntilClosed(client);
    }

    /// <summary>The request up to its blank line, or null when the client sent none within the limit.</summary>
    private static string? ReadHead(Socket client)
    {
        var buffer = new byte[MaxRequestHeadBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = client.Receive(buffer, length, buffer.Length - length, SocketFlags.None);
            if (read == 0)
            {
                return null;
            }

            var searchFrom = Math.Max(0, length - 3);
            length += read;
            if (buffer.AsSpan(searchFrom, length - searchFrom).IndexOf("\r\n\r\n"u8) >= 0)
            {
                return Encoding.ASCII.GetString(buffer, 0, length);
            }
        }

        return null;
    }

    /// <summary>
    /// Closing a socket with unread input makes Linux send a reset, which can destroy the response before the client
    /// reads it; so wait (briefly) for the client to close its side, discarding whatever else it sent.
    /// </summary>
    private static void DrainUntilClosed(Socket client)
    {
        client.ReceiveTimeout = 1000;
        Span<byte> discard = stackalloc byte[1024];
        for (var total = 0; total < 64 * 1024;)
        {
            var read = client.Receive(discard);
            if (read == 0)
            {
                return;
            }

            total += read;
        }
    }
}
