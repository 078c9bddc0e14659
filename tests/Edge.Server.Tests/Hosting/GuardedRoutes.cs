using Edge.Server.Hosting;
using Edge.Server.Hosting.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edge.Server.Tests.Hosting;

/// <summary>
/// A module with one route of each access kind, answering <c>ok</c> (control and view rate-limited): the host's
/// security and limits tested apart from what the control API and the view do behind them.
/// </summary>
internal sealed class GuardedRoutes : IServerModule
{
    public IEnumerable<string> Paths => ["/guarded/control", "/guarded/view", "/guarded/page"];

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/guarded/control", () => "ok").WithMetadata(new AccessRequirement(Access.Control)).RequireRateLimiting(ServerRateLimit.PerClient);
        routes.MapGet("/guarded/view", () => "ok").WithMetadata(new AccessRequirement(Access.View)).RequireRateLimiting(ServerRateLimit.PerClient);
        routes.MapGet("/guarded/page", () => "ok").WithMetadata(new AccessRequirement(Access.Page));
    }
}
