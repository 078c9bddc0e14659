using Edge.Server.Hosting;
using Edge.Server.Hosting.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Server.Api;

/// <summary>
/// The control API under <c>/api/v1</c> (docs/http.md) and its OpenAPI document at <c>/openapi/v1.json</c>: every
/// route needs <see cref="Access.Control"/>, is rate-limited per client (<see cref="ServerRateLimit"/>) and reads at
/// most <see cref="MaxBodyBytes"/> of body. Refusals are <see cref="ErrorBody"/> answers.
/// </summary>
public sealed class ControlApiRoutes(ControlTarget target) : IServerModule
{
    public const string Prefix = "/api/v1";

    /// <summary>The largest body a control request may have; the largest real one (a stream with thresholds for every label) is a few KiB.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public const string OpenApiPath = "/openapi/v1.json";

    private const string SwapBody = """{"bundle": "FOLDER"} (a model bundle folder on this device)""";

    private readonly SemaphoreSlim swapping = new(1, 1);

    public IEnumerable<string> Paths => [Prefix, OpenApiPath];

    public void ConfigureServices(IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "edge control API";
            document.Info.Description = "Change a running edge run: pause and resume streams, thresholds, budgets, streams, models (docs/http.md).";
            return Task.CompletedTask;
        }));
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi(OpenApiPath).WithMetadata(new AccessRequirement(Access.Control)).RequireRateLimiting(ServerRateLimit.PerClient);

        var api = routes.MapGroup(Prefix)
            .WithMetadata(new AccessRequirement(Access.Control), new BodySizeLimit(MaxBodyBytes))
            .RequireRateLimiting(ServerRateLimit.PerClient);

        api.MapPut("/heads/{head}/model", (string head, HttpContext context) => Answer(() => SwapModelAsync(head, context)))
            .WithName("SwapModel")
            .WithSummary("Swap a head's model: load, check and warm up the bundle, then switch at a batch boundary")
            .Accepts<SwapRequest>("application/json")
            .Produces<SwapAnswer>()
            .Refusals(400, 401, 403, 404, 409, 413, 415, 422, 429, 503);
    }

    private async Task<IResult> SwapModelAsync(string head, HttpContext context)
    {
        var run = target.Current;
        if (Persist(context))
        {
            throw new ApiRefusal(StatusCodes.Status400BadRequest, "persist=true is not taken by a model swap: expected no persist (write the bundle into the config file's model or heads yourself)");
        }

        var request = await JsonBody.ReadAsync(context, ApiJsonContext.Api.SwapRequest, SwapBody).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.Bundle) || request.Bundle.Contains('\0', StringComparison.Ordinal))
        {
            throw new ApiRefusal(StatusCodes.Status400BadRequest, $"bundle is {(request.Bundle is null ? "missing" : "empty or not a path")}: expected {SwapBody}");
        }

        if (!run.Heads.Contains(head, StringComparer.Ordinal))
        {
            throw new ApiRefusal(StatusCodes.Status404NotFound, $"no head is named '{head}': expected one of {string.Join(", ", run.Heads)}");
        }

        // One swap at a time, refused rather than queued: a queued swap would replace a model its caller has not seen.
        if (!await swapping.WaitAsync(0, context.RequestAborted).ConfigureAwait(false))
        {
            throw new ApiRefusal(StatusCodes.Status409Conflict, "a model swap is in progress: expected one swap at a time, try again once it has finished");
        }

        try
        {
            var result = await run.Swap.SwapAsync(head, request.Bundle, context.RequestAborted).ConfigureAwait(false);
            return result.Succeeded
                ? TypedResults.Json(SwapAnswer.From(result), ApiJsonContext.Api.SwapAnswer)
                : ErrorAnswers.Result(StatusCodes.Status422UnprocessableEntity, $"{result.Failure}; the running model is untouched");
        }
        finally
        {
            swapping.Release();
        }
    }

    /// <summary>The optional <c>?persist=true</c>: write the change back to the config file too.</summary>
    private static bool Persist(HttpContext context)
    {
        if (!context.Request.Query.TryGetValue("persist", out var values))
        {
            return false;
        }

        return values.ToString() switch
        {
            "true" => true,
            "false" => false,
            var other => throw new ApiRefusal(StatusCodes.Status400BadRequest, $"query parameter persist='{other}' is not a boolean: expected persist=true or persist=false"),
        };
    }

    /// <summary>Runs a handler, answering its refusals (and the run's) as <see cref="ErrorBody"/>.</summary>
    private static async Task<IResult> Answer(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler().ConfigureAwait(false);
        }
        catch (ApiRefusal refusal)
        {
            return ErrorAnswers.Result(refusal.Status, refusal.Message);
        }
    }
}
