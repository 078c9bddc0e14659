using Edge.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Edge.Server.Api;

/// <summary>OpenAPI metadata: the refusals a route can answer, each an <see cref="ErrorBody"/>.</summary>
internal static class RefusalMetadata
{
    public static RouteHandlerBuilder Refusals(this RouteHandlerBuilder route, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            route.Produces<ErrorBody>(status, ErrorAnswers.JsonContentType);
        }

        return route;
    }
}
