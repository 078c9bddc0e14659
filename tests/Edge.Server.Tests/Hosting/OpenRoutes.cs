using Edge.Server.Hosting;
using Edge.Server.Hosting.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Edge.Server.Tests.Hosting;

/// <summary>A page and view data only: with the view public, nothing here needs the token.</summary>
internal sealed class OpenRoutes : IServerModule
{
    public IEnumerable<string> Paths => ["/open/page", "/open/view"];

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/open/page", () => "ok").WithMetadata(new AccessRequirement(Access.Page));
        routes.MapGet("/open/view", () => "ok").WithMetadata(new AccessRequirement(Access.View));
    }
}
