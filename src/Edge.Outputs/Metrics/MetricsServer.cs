using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Outputs.Metrics;

/// <summary>
/// Serves <see cref="RuntimeMetrics"/> over HTTP with ASP.NET Core's Kestrel: <c>GET /metrics</c> (Prometheus text
/// format 0.0.4) and <c>GET /healthz</c> (200 <c>ok</c> while every required stream's camera delivers and its frames keep
/// being processed within <see cref="StaleAfter"/>, else 503 with the reason per stream). Kestrel serves connections concurrently under <see cref="Limits"/>, so a slow or stuck
/// client never holds up a probe; the frame thread is never involved.
/// </summary>
/// <remarks>
/// The host is a slim <see cref="WebApplication"/> without its console lifetime (the run command owns Ctrl+C and
/// SIGTERM) and without logging providers (stdout carries label sets). Later HTTP features (a control API) add routes here.
/// </remarks>
public sealed class MetricsServer : IDisposable
{
    public const string DefaultEndpoint = "127.0.0.1:9108";

    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly RuntimeMetrics metrics;
    private readonly TimeSpan staleAfter = DefaultStaleAfter;
    private WebApplication? app;
    private bool disposed;

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

    /// <summary>The bounds on every client (header timeout, connections, sizes, data rates).</summary>
    public MetricsServerLimits Limits { get; init; } = new();

    /// <summary>The address and port being served (the chosen port when started with port 0), or null before <see cref="Start"/>.</summary>
    public IPEndPoint? LocalEndpoint { get; private set; }

    /// <summary>Binds <paramref name="endpoint"/> (<c>HOST:PORT</c>, IPv6 in brackets, port 0 for any free port) and starts serving.</summary>
    /// <exception cref="MetricsConfigurationException">The endpoint is malformed, its port out of range, its host not resolvable, or it cannot be bound.</exception>
    public void Start(string endpoint = DefaultEndpoint)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (app is not null)
        {
            throw new InvalidOperationException($"the metrics server is already serving {LocalEndpoint}");
        }

        var address = MetricsEndpoint.Resolve(endpoint);
        var built = Build(address);
        try
        {
            built.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (BindFailure(address, e) is { } failure)
        {
            built.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw failure;
        }

        app = built;
        LocalEndpoint = BoundEndpoint(built, address);
    }

    /// <summary>Stops serving and frees the port; requests in progress get <see cref="StopTimeout"/> to finish.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (app is { } running)
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            running.StopAsync(timeout.Token).GetAwaiter().GetResult();
            running.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private WebApplication Build(IPEndPoint address)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NoConsoleLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ApplyLimits(kestrel.Limits, Limits);
            kestrel.Listen(address);
        });
        var built = builder.Build();
        var routes = new MetricsRoutes(metrics, StaleAfter);
        built.Map("/metrics", routes.Scrape);
        built.Map("/healthz", routes.Health);
        built.MapFallback("{*path}", routes.NotFound);
        return built;
    }

    private static void ApplyLimits(KestrelServerLimits kestrel, MetricsServerLimits limits)
    {
        kestrel.RequestHeadersTimeout = limits.RequestHeadersTimeout;
        kestrel.KeepAliveTimeout = limits.KeepAliveTimeout;
        kestrel.MaxConcurrentConnections = limits.MaxConcurrentConnections;
        kestrel.MaxConcurrentUpgradedConnections = 0;
        kestrel.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
        kestrel.MaxRequestLineSize = Math.Min(kestrel.MaxRequestLineSize, limits.MaxRequestHeadersTotalSize);
        kestrel.MaxRequestBodySize = limits.MaxRequestBodySize;
        kestrel.MinRequestBodyDataRate = new MinDataRate(limits.MinDataRateBytesPerSecond, limits.MinDataRateGracePeriod);
        kestrel.MinResponseDataRate = new MinDataRate(limits.MinDataRateBytesPerSecond, limits.MinDataRateGracePeriod);
    }

    /// <summary>The port Kestrel bound (the chosen one for port 0), read back from the server's addresses.</summary>
    private static IPEndPoint BoundEndpoint(WebApplication app, IPEndPoint requested)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException($"Kestrel reported no bound address for {requested}");
        return new IPEndPoint(requested.Address, new Uri(first).Port);
    }

    private static MetricsConfigurationException? BindFailure(IPEndPoint address, Exception e)
    {
        if (Find<AddressInUseException>(e) is { } inUse)
        {
            return new($"metrics port {address.Port} on {address.Address} is already in use, expected a free port", inUse);
        }

        return Find<SocketException>(e) is not { } socket ? null : socket.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => new($"metrics port {address.Port} on {address.Address} is already in use, expected a free port", socket),
            SocketError.AddressNotAvailable => new($"metrics host {address.Address} is not an address of this machine, expected a local address (127.0.0.1 for loopback, 0.0.0.0 for every interface)", socket),
            SocketError.AccessDenied => new($"metrics port {address.Port} on {address.Address} needs privileges to bind, expected a port above 1023", socket),
            _ => new($"metrics endpoint {address} cannot be bound ({socket.SocketErrorCode}: {socket.Message}), expected a free local address and port", socket),
        };
    }

    private static T? Find<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>Replaces the console lifetime, which would take over Ctrl+C and SIGTERM from the run command.</summary>
    private sealed class NoConsoleLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
