using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Server.Hosting;

/// <summary>One part of the HTTP side (metrics and health, the control API, the live view): its routes and what they need.</summary>
public interface IServerModule
{
    /// <summary>The paths it serves (shown in a 404's hint).</summary>
    IEnumerable<string> Paths { get; }

    /// <summary>Services its routes need (JSON type information, rate limits); most modules need none.</summary>
    void ConfigureServices(IServiceCollection services)
    {
    }

    void Map(IEndpointRouteBuilder routes);
}
