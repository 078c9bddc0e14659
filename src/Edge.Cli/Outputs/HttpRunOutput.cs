using Edge.Cli.Configuration;
using Edge.Outputs.Metrics;
using Edge.Runtime.Options;
using Edge.Runtime.Publishing;
using Edge.Server.Api;
using Edge.Server.Health;
using Edge.Server.Hosting;
using Edge.Server.Hosting.Security;
using Edge.Server.LiveView;
using Edge.Server.Metrics;

using Microsoft.Extensions.Logging;

namespace Edge.Cli.Outputs;

/// <summary>
/// The HTTP side of <c>edge run</c> (docs/http.md), serving from the start so that probes answer while the model
/// loads. <c>--metrics</c> serves only <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c>, open to whoever reaches
/// it: a Prometheus bind on 0.0.0.0 never exposes control by surprise. <c>--http</c> serves those, the control API
/// and the live view, behind the API token beyond loopback. Both on the same endpoint: one server serves all (what
/// the operator asked for either way); endpoints that would share a port otherwise are refused.
/// </summary>
internal sealed class HttpRunOutput : RunOutput
{
    private readonly List<EdgeServer> servers;
    private readonly RunReadiness readiness;
    private readonly ControlTarget control;
    private readonly LiveView? view;

    private HttpRunOutput(List<EdgeServer> servers, RunReadiness readiness, ControlTarget control, LiveView? view)
    {
        this.servers = servers;
        this.readiness = readiness;
        this.control = control;
        this.view = view;
    }

    /// <summary>The live view sees every frame (with <c>--http</c>); metrics and health read the run's metrics instead.</summary>
    public override IFrameOutput? Output => view;

    public static RunOutput? Create(RunContext context, IReadOnlyList<RunOutput> made)
    {
        var settings = context.Settings;
        if (settings.Metrics is null && settings.Http is null)
        {
            return null;
        }

        var metrics = made.OfType<MetricsRunOutput>().Single().Metrics;
        var readiness = new RunReadiness(metrics.Streams);
        var control = new ControlTarget();
        var servers = new List<EdgeServer>();
        LiveView? view = null;
        try
        {
            var metricsEndpoint = settings.Metrics;
            if (settings.Http is { } http)
            {
                if (metricsEndpoint is not null && SameServer(metricsEndpoint, http.Endpoint))
                {
                    metricsEndpoint = null;
                }

                var security = Security(http);
                view = new LiveView(new LiveViewOptions { Device = settings.Device, Streams = ViewedStreams(context) }, context.Time);
                servers.Add(Start(http.Endpoint, "http", FullModules(metrics, readiness, control, view, settings), security, context));
            }

            if (metricsEndpoint is not null)
            {
                servers.Add(Start(metricsEndpoint, "metrics", HealthModules(metrics, readiness, settings), new ServerSecurity(), context));
            }

            return new HttpRunOutput(servers, readiness, control, view);
        }
        catch
        {
            servers.ForEach(server => server.Dispose());
            view?.Dispose();
            throw;
        }
    }

    /// <summary>Metrics, health and readiness: what <c>--metrics</c> serves, and <c>--http</c> too.</summary>
    private static List<IServerModule> HealthModules(RuntimeMetrics metrics, RunReadiness readiness, ResolvedRunSettings settings) =>
        [new MetricsRoutes(metrics) { StaleAfter = settings.HealthzStale }, new ReadinessRoutes(readiness)];

    /// <summary>
    /// Everything <c>--http</c> serves: the health modules, the control API with its OpenAPI document, and the live
    /// view; a further module goes here, and shares the server's token, limits and error shape.
    /// </summary>
    private static List<IServerModule> FullModules(RuntimeMetrics metrics, RunReadiness readiness, ControlTarget control, LiveView view, ResolvedRunSettings settings) =>
        [.. HealthModules(metrics, readiness, settings), new ControlApiRoutes(control), view];

    /// <summary>
    /// What the live view lists before the first frames: each configured stream, the heads it feeds (the configured
    /// model's first) and the configured model's labels with the stream's thresholds.
    /// </summary>
    private static List<ViewedStream> ViewedStreams(RunContext context) =>
    [
        .. context.Settings.EffectiveStreams().Select(stream => new ViewedStream(
            stream.Id,
            stream.Heads is { Count: > 0 } heads ? heads : context.HeadNames,
            [.. ThresholdOverrides.Apply(context.Model.Labels, stream.Thresholds, "thresholds", context.Model.Name, skipUnknown: true).Select(label => new ViewedLabel(label.Name, label.On, label.Off))])),
    ];

    private static EdgeServer Start(string endpoint, string setting, List<IServerModule> modules, ServerSecurity security, RunContext context)
    {
        var server = new EdgeServer(modules) { Setting = setting, Security = security, Loggers = context.Loggers };
        try
        {
            server.Start(endpoint);
            var scheme = security.Certificate is null ? "http" : "https";
            var what = setting == "http" ? "live view at /view/, control API at /api/v1, OpenAPI at /openapi/v1.json, metrics" : "metrics";
            context.Loggers.CreateLogger("edge.http").LogInformation("--{Setting}: serving {Scheme}://{Endpoint} ({What}, /healthz, /readyz)", setting, scheme, server.LocalEndpoint, what);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>The token (<see cref="ApiToken.Variable"/>, else <c>http_token_file</c>) and the certificate, read now so a bad one stops the run before the model loads.</summary>
    private static ServerSecurity Security(HttpSettings http) => new()
    {
        Token = ApiToken.Read(Environment.GetEnvironmentVariable, http.TokenFile),
        ViewPublic = http.ViewPublic,
        Certificate = http.Certificate is { } certificate ? ServerCertificate.Load(certificate, http.CertificateKeyFile, http.CertificatePasswordFile) : null,
    };

    /// <summary>True when both settings name the same endpoint; refuses two that would share a port (a wildcard and another address).</summary>
    private static bool SameServer(string metrics, string http)
    {
        var metricsAddress = ServerEndpoint.Resolve(metrics, "metrics");
        var httpAddress = ServerEndpoint.Resolve(http, "http");
        if (metricsAddress.Equals(httpAddress) && metricsAddress.Port != 0)
        {
            return true;
        }

        return ServerEndpoint.Overlap(metricsAddress, httpAddress)
            ? throw new ServerConfigurationException($"metrics {metrics} and http {http} would share port {httpAddress.Port}: expected the same HOST:PORT (one server serves both) or different ports")
            : false;
    }

    public override void Starting(RunStart start)
    {
        readiness.ModelWarm();
        control.Attach(start.Control);
    }

    /// <summary>No frame will cross a batch boundary again: changes are refused from now on instead of waiting forever.</summary>
    public override void PipelineStopped() => control.Stop();

    public override void Dispose()
    {
        servers.ForEach(server => server.Dispose());
        view?.Dispose();
    }
}
