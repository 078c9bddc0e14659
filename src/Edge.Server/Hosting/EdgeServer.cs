using System.Net;
using System.Net.Sockets;
using Edge.Server.Hosting.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Server.Hosting;

/// <summary>
/// The whole HTTP side of <c>edge run</c> on ASP.NET Core's Kestrel: each <see cref="IServerModule"/> maps its routes
/// (metrics and health, the control API, the live view). Kestrel serves connections concurrently under
/// <see cref="Limits"/>, so a slow or stuck client costs only its own connection; the frame thread is never involved.
/// </summary>
/// <remarks>
/// The host is a slim <see cref="WebApplication"/> without its console lifetime (the run command owns Ctrl+C and
/// SIGTERM); it logs through <see cref="Loggers"/> (the run's, on stderr: stdout carries label sets), the framework's
/// own categories from warnings up only, so that no request line (which may carry a view's <c>?token=</c>) is logged.
/// Requests pass the status-code answers (an error without a body gets an <see cref="ErrorBody"/>), routing, the
/// rate limiter (<see cref="ServerRateLimit"/>), then the <see cref="AccessGate"/> (<see cref="Security"/>).
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

    /// <summary>The bounds on every client (header timeout, connections, sizes, data rates, request rate).</summary>
    public ServerLimits Limits { get; init; } = new();

    /// <summary>The token, the view's openness and TLS; by default none of them (then only loopback can serve marked endpoints).</summary>
    public ServerSecurity Security { get; init; } = new();

    /// <summary>The setting the endpoint came from, as errors name it: <c>metrics</c> or <c>http</c>.</summary>
    public string Setting { get; init; } = "metrics";

    /// <summary>Where the server's own log lines go (refusals, TLS warnings, failures); null: nowhere.</summary>
    public ILoggerFactory? Loggers { get; init; }

    /// <summary>The address and port being served (the chosen port when started with port 0), or null before <see cref="Start"/>.</summary>
    public IPEndPoint? LocalEndpoint { get; private set; }

    /// <summary>Binds <paramref name="endpoint"/> (<c>HOST:PORT</c>, IPv6 in brackets, port 0 for any free port) and starts serving.</summary>
    /// <exception cref="ServerConfigurationException">The endpoint is malformed, its port out of range, its host not resolvable, or it
    /// cannot be bound; or it is beyond loopback while an endpoint needs the API token and none is set.</exception>
    public void Start(string endpoint = DefaultEndpoint)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (app is not null)
        {
            throw new InvalidOperationException($"the {Setting} server is already serving {LocalEndpoint}");
        }

        var address = ServerEndpoint.Resolve(endpoint, Setting);
        var built = Build(address);
        try
        {
            RefuseUnprotectedBind(built, endpoint, address);
            built.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            built.DisposeAsync().AsTask().GetAwaiter().GetResult();
            if ((e as ServerConfigurationException ?? BindFailure(address, e)) is { } failure)
            {
                throw failure;
            }

            throw;
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
        if (Loggers is { } loggers)
        {
            builder.Logging.AddProvider(new ForwardingLoggerProvider(loggers));
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }

        builder.Services.AddSingleton<IHostLifetime, NoConsoleLifetime>();
        builder.Services.AddSingleton(Security);
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            ServerJson.Apply(json.SerializerOptions);
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, HostingJsonContext.Default);
        });
        ServerRateLimit.Add(builder.Services, Limits);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ApplyLimits(kestrel.Limits, Limits);
            kestrel.Listen(address, listen =>
            {
                if (Security.Certificate is { } certificate)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        foreach (var module in modules)
        {
            module.ConfigureServices(builder.Services);
        }

        var built = builder.Build();
        var known = string.Join(", ", modules.SelectMany(module => module.Paths));
        built.UseStatusCodePages(answer => AnswerWithoutBody(answer.HttpContext, known));
        built.UseRouting();
        built.UseRateLimiter();
        built.UseMiddleware<AccessGate>();
        foreach (var module in modules)
        {
            module.Map(built);
        }

        return built;
    }

    /// <summary>
    /// An error status that nothing wrote a body for (no route: 404; a route for other methods: 405; whatever a
    /// handler or the framework set without a body) gets an <see cref="ErrorBody"/> saying what was expected.
    /// </summary>
    private static Task AnswerWithoutBody(HttpContext context, string known)
    {
        var request = context.Request;
        var status = context.Response.StatusCode;
        var error = status switch
        {
            StatusCodes.Status404NotFound => $"not found: {request.Path} (try {known})",
            StatusCodes.Status405MethodNotAllowed => $"method {request.Method} not allowed on {request.Path}, expected {string.Join(" or ", context.Response.Headers.Allow.ToString().Split(", "))}",
            StatusCodes.Status415UnsupportedMediaType => $"content type '{request.ContentType}' is not accepted by {request.Method} {request.Path}: expected application/json",
            _ => $"{ReasonPhrases.GetReasonPhrase(status).ToLowerInvariant()}: {request.Method} {request.Path}",
        };
        return ErrorAnswers.Send(context, status, error);
    }

    /// <summary>Only loopback may serve endpoints that need the token while none is set: anyone on the network could use them.</summary>
    private void RefuseUnprotectedBind(WebApplication app, string endpoint, IPEndPoint address)
    {
        if (ServerEndpoint.IsLoopback(address.Address))
        {
            return;
        }

        var guarded = ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints)
            .Select(candidate => candidate.Metadata.GetMetadata<AccessRequirement>())
            .Any(requirement => requirement is { Kind: Access.Control } || (requirement is { Kind: Access.View } && !Security.ViewPublic));
        if (!guarded)
        {
            return;
        }

        if (Security.Token is null)
        {
            throw new ServerConfigurationException($"{Setting} endpoint {endpoint} is reachable beyond this machine but no API token is set: expected {ApiToken.Variable} or http_token_file (docs/http.md), or a loopback host such as 127.0.0.1");
        }

        if (Security.Certificate is null)
        {
            app.Services.GetRequiredService<ILogger<EdgeServer>>().LogWarning(
                "{Setting} endpoint {Endpoint} is reachable beyond this machine over plain HTTP: the API token crosses the network unencrypted (set http_certificate for HTTPS)", Setting, endpoint);
        }
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

    private ServerConfigurationException? BindFailure(IPEndPoint address, Exception e)
    {
        if (Find<AddressInUseException>(e) is { } inUse)
        {
            return new($"{Setting} port {address.Port} on {address.Address} is already in use, expected a free port", inUse);
        }

        return Find<SocketException>(e) is not { } socket ? null : socket.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => new($"{Setting} port {address.Port} on {address.Address} is already in use, expected a free port", socket),
            SocketError.AddressNotAvailable => new($"{Setting} host {address.Address} is not an address of this machine, expected a local address (127.0.0.1 for loopback, 0.0.0.0 for every interface)", socket),
            SocketError.AccessDenied => new($"{Setting} port {address.Port} on {address.Address} needs privileges to bind, expected a port above 1023", socket),
            _ => new($"{Setting} endpoint {address} cannot be bound ({socket.SocketErrorCode}: {socket.Message}), expected a free local address and port", socket),
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

    /// <summary>Hands the host's log lines (after its filters) to the run's logger factory, which it does not own.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory loggers) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => loggers.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }

    /// <summary>Replaces the console lifetime, which would take over Ctrl+C and SIGTERM from the run command.</summary>
    private sealed class NoConsoleLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
