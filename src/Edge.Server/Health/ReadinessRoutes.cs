using Edge.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edge.Server.Health;

/// <summary>
/// <c>GET /readyz</c>: 200 <c>ready</c> once <see cref="RunReadiness"/> says so, else 503 with why (plain text, one
/// line, like <c>/healthz</c>): what a load balancer or orchestrator asks before sending work.
/// </summary>
public sealed class ReadinessRoutes(RunReadiness readiness) : IServerModule
{
    public IEnumerable<string> Paths => ["/readyz"];

    public void Map(IEndpointRouteBuilder routes) => routes.MapMethods("/readyz", [HttpMethods.Get, HttpMethods.Head], Ready);

    private Task Ready(HttpContext context) => readiness.Pending() is { } pending
        ? PlainAnswers.Send(context, StatusCodes.Status503ServiceUnavailable, $"not ready: {pending}\n")
        : PlainAnswers.Send(context, StatusCodes.Status200OK, "ready\n");
}
