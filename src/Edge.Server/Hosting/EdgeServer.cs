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
using Edge.Outputs.Metrics;

namespace Edge.Server.Hosting;

/// <summary>
/// The whole HTTP side of <c>edge run</c> on ASP.NET Core's Kestrel: each <see cref="IServerModule"/> maps its routes
/// (metrics and health, the control API, the live view). Kestrel serves connections concurrently under
/// <see cref="Limits"/>, so a slow or stuck client costs only its own connection; the frame thread is never involved.
/// </summary>
/// <remarks>
/// The host is a slim <see cref="WebApplication"/> without its console lifetime (the run command owns Ctrl+C and
/// SIGTERM) and without logging providers (stdout carries label sets).
/// </remarks>
public sealed class EdgeServer : IDisposable
{
    public const string DefaultEndpoint = "127.0.0.1:9108";

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly IServerModule[] modules;
    private WebApplication? app;
    private bool disposed;

    /// <param name="modules">What to serve, mapped in this order; a path no module maps answers 404.</param>
    public EdgeServer(params IEnumerable<IServerModule> modules)
    {
        this.modules = [.. modules];
        ArgumentOutOfRangeException.ThrowIfZero(this.modules.Length, nameof(modules));
    }

    /// <summary>The bounds on every client (header timeout, connections, sizes, data rates).</summary>
    public ServerLimits Limits { get; init; } = new();

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

        var address = ServerEndpoint.Resolve(endpoint);
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
        foreach (var module in modules)
        {
            module.ConfigureServices(builder.Services);
        }

        var built = builder.Build();
        foreach (var module in modules)
        {
            module.Map(built);
        }

        var known = string.Join(", ", modules.SelectMany(module => module.Paths));
        built.MapFallback("{*path}", context => PlainAnswers.Send(context, 404, $"not found: {context.Request.Path} (try {known})\n"));
        return built;
    }

    private static void ApplyLimits(KestrelServerLimits kestrel, ServerLimits limits)
    {
        kestrel.RequestHeadersTimeout = limits.RequestHeadersTimeout;
        kestrel.KeepAliveTimeout = limits.KeepAliveTimeout;
        kestrel.MaxConcurrentConnections = limits.MaxConcurrentConnections;
        kestrel.MaxConcurrentUpgradedConnections = limits.MaxConcurrentUpgradedConnections;
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
