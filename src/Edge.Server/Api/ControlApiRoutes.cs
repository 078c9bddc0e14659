using Edge.Runtime.Budget;
using Edge.Runtime.Control;
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
/// most <see cref="MaxBodyBytes"/> of body. The run's refusals (<see cref="ControlException"/>) and the API's own are
/// <see cref="ErrorBody"/> answers: not found 404, invalid 400, conflict 409, unavailable 503.
/// </summary>
public sealed class ControlApiRoutes(ControlTarget target) : IServerModule
{
    public const string Prefix = "/api/v1";

    /// <summary>The largest body a control request may have; the largest real one (a stream with thresholds for every label) is a few KiB.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public const string OpenApiPath = "/openapi/v1.json";

    private const string SwapBody = """{"bundle": "FOLDER"} (a model bundle folder on this device)""";
    private const string ThresholdsBody = """{"LABEL": {"threshold": 0.7, "off_threshold": 0.5}, ...} (off_threshold optional)""";
    private const string BudgetBody = """{"budget_ms": 80, "miss_policy": "drop|flag|degrade"} (either may be left out)""";
    private const string StreamBody = """{"id": "yard", "source": "rtsp://...", "budget_ms", "miss_policy", "thresholds", "heads", "required"} (an entry of the config file's streams; id and source required)""";

    private static readonly int[] ChangeRefusals = [400, 401, 403, 404, 409, 413, 415, 429, 503];

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
            .WithTags("control")
            .RequireRateLimiting(ServerRateLimit.PerClient);

        api.MapGet("/status", () => Answer(() => Task.FromResult<IResult>(TypedResults.Json(target.Current.Status(), ApiJsonContext.Api.RuntimeStatus))))
            .WithName("Status")
            .WithSummary("The run now: each head's model and execution provider; each stream's camera, budget, miss policy, degrade level, rates, misses and latencies")
            .Produces<RuntimeStatus>()
            .Refusals(401, 403, 429, 503);

        api.MapPost("/streams/{id}/pause", (string id, HttpContext context) => Answer(() => PauseAsync(id, paused: true, context)))
            .WithName("PauseStream")
            .WithSummary("Stop labelling a stream's frames from the next one on (its camera keeps running)")
            .Produces<PauseResult>()
            .Refusals(ChangeRefusals);

        api.MapPost("/streams/{id}/resume", (string id, HttpContext context) => Answer(() => PauseAsync(id, paused: false, context)))
            .WithName("ResumeStream")
            .WithSummary("Label a paused stream's frames again from the next one on")
            .Produces<PauseResult>()
            .Refusals(ChangeRefusals);

        api.MapPut("/streams/{id}/thresholds", (string id, HttpContext context) => Answer(() => SetThresholdsAsync(id, context)))
            .WithName("SetThresholds")
            .WithSummary("Set per-label thresholds and off thresholds (hysteresis) of a stream, every head or ?head=NAME; ?persist=true writes them to the config file")
            .Accepts<Dictionary<string, Edge.Runtime.Options.ThresholdOverride>>("application/json")
            .Produces<ThresholdsResult>()
            .Refusals(ChangeRefusals);

        api.MapPut("/streams/{id}/budget", (string id, HttpContext context) => Answer(() => SetBudgetAsync(id, context)))
            .WithName("SetBudget")
            .WithSummary("Set a stream's end-to-end budget and/or miss policy; ?persist=true writes them to the config file")
            .Accepts<BudgetRequest>("application/json")
            .Produces<BudgetResult>()
            .Refusals(ChangeRefusals);

        // Two parameters, so this is a route handler (its IResult written), not a RequestDelegate.
        api.MapPost("/streams", (HttpContext context, CancellationToken _) => Answer(() => AddStreamAsync(context)))
            .WithName("AddStream")
            .WithSummary("Add a stream while the others run (an entry of the config file's streams); ?persist=true appends it to the config file")
            .Accepts<StreamRequest>("application/json")
            .Produces<StreamAdded>(StatusCodes.Status201Created)
            .Refusals(ChangeRefusals);

        api.MapDelete("/streams/{id}", (string id, HttpContext context) => Answer(() => RemoveStreamAsync(id, context)))
            .WithName("RemoveStream")
            .WithSummary("Remove a stream while the others run (not the last one); ?persist=true removes it from the config file")
            .Produces<StreamRemoved>()
            .Refusals(ChangeRefusals);

        api.MapPut("/heads/{head}/model", (string head, HttpContext context) => Answer(() => SwapModelAsync(head, context)))
            .WithName("SwapModel")
            .WithSummary("Swap a head's model: load, check and warm up the bundle while frames flow, then switch at a batch boundary")
            .Accepts<SwapRequest>("application/json")
            .Produces<SwapAnswer>()
            .Refusals([.. ChangeRefusals, 422]);
    }

    private async Task<IResult> PauseAsync(string id, bool paused, HttpContext context)
    {
        var control = target.Current;
        RefusePersist(context, paused ? "pausing" : "resuming");
        var result = paused
            ? await control.PauseAsync(id, context.RequestAborted).ConfigureAwait(false)
            : await control.ResumeAsync(id, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(result, ApiJsonContext.Api.PauseResult);
    }

    private async Task<IResult> SetThresholdsAsync(string id, HttpContext context)
    {
        var control = target.Current;
        var persist = Persist(context);
        var head = context.Request.Query.TryGetValue("head", out var heads) ? heads.ToString() : null;
        var thresholds = await JsonBody.ReadAsync(context, ApiJsonContext.Api.DictionaryStringThresholdOverride, ThresholdsBody).ConfigureAwait(false);
        var result = await control.SetThresholdsAsync(id, head, thresholds, persist, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(result, ApiJsonContext.Api.ThresholdsResult);
    }

    private async Task<IResult> SetBudgetAsync(string id, HttpContext context)
    {
        var control = target.Current;
        var persist = Persist(context);
        var request = await JsonBody.ReadAsync(context, ApiJsonContext.Api.BudgetRequest, BudgetBody).ConfigureAwait(false);
        var policy = request.MissPolicy is null ? (MissPolicy?)null : ParsePolicy(request.MissPolicy);
        var result = await control.SetBudgetAsync(id, request.BudgetMs, policy, persist, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(result, ApiJsonContext.Api.BudgetResult);
    }

    private async Task<IResult> AddStreamAsync(HttpContext context)
    {
        var control = target.Current;
        var persist = Persist(context);
        var request = await JsonBody.ReadAsync(context, ApiJsonContext.Api.StreamRequest, StreamBody).ConfigureAwait(false);
        if (request.Output is not null)
        {
            throw new ApiRefusal(StatusCodes.Status400BadRequest, $"output is not taken by a stream added at run time (its label sets go to the run's output): expected {StreamBody}");
        }

        var options = new Edge.Runtime.Options.StreamOptions
        {
            Id = request.Id ?? throw new ApiRefusal(StatusCodes.Status400BadRequest, $"id is missing: expected {StreamBody}"),
            Source = request.Source ?? throw new ApiRefusal(StatusCodes.Status400BadRequest, $"source is missing: expected {StreamBody}"),
            BudgetMs = request.BudgetMs,
            MissPolicy = request.MissPolicy is null ? null : ParsePolicy(request.MissPolicy),
            Thresholds = request.Thresholds,
            Heads = request.Heads,
            Required = request.Required ?? true,
        };
        var added = await control.AddStreamAsync(options, persist, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.Location = $"{Prefix}/streams/{Uri.EscapeDataString(added.Stream)}";
        return TypedResults.Json(added, ApiJsonContext.Api.StreamAdded, statusCode: StatusCodes.Status201Created);
    }

    private async Task<IResult> RemoveStreamAsync(string id, HttpContext context)
    {
        var control = target.Current;
        var persist = Persist(context);
        var removed = await control.RemoveStreamAsync(id, persist, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(removed, ApiJsonContext.Api.StreamRemoved);
    }

    private async Task<IResult> SwapModelAsync(string head, HttpContext context)
    {
        var control = target.Current;
        RefusePersist(context, "a model swap");
        var request = await JsonBody.ReadAsync(context, ApiJsonContext.Api.SwapRequest, SwapBody).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.Bundle) || request.Bundle.Contains('\0', StringComparison.Ordinal))
        {
            throw new ApiRefusal(StatusCodes.Status400BadRequest, $"bundle is {(request.Bundle is null ? "missing" : "empty or not a path")}: expected {SwapBody}");
        }

        var heads = control.Status().Heads.Select(running => running.Name).ToList();
        if (!heads.Contains(head, StringComparer.Ordinal))
        {
            throw new ApiRefusal(StatusCodes.Status404NotFound, $"no head is named '{head}': expected one of {string.Join(", ", heads)}");
        }

        // One swap at a time, refused rather than queued: a queued swap would replace a model its caller has not seen.
        if (!await swapping.WaitAsync(0, context.RequestAborted).ConfigureAwait(false))
        {
            throw new ApiRefusal(StatusCodes.Status409Conflict, "a model swap is in progress: expected one swap at a time, try again once it has finished");
        }

        try
        {
            var result = await control.Swap.SwapAsync(head, request.Bundle, context.RequestAborted).ConfigureAwait(false);
            return result.Succeeded
                ? TypedResults.Json(SwapAnswer.From(result), ApiJsonContext.Api.SwapAnswer)
                : ErrorAnswers.Result(StatusCodes.Status422UnprocessableEntity, $"{result.Failure}; the running model is untouched");
        }
        finally
        {
            swapping.Release();
        }
    }

    private static MissPolicy ParsePolicy(string text) =>
        MissPolicyNames.TryParse(text, out var parsed)
            ? parsed
            : throw new ApiRefusal(StatusCodes.Status400BadRequest, $"miss_policy '{text}' is not a miss policy: expected {MissPolicyNames.Expected}");

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

    /// <summary>Changes the config file has no key for are refused with persist=true rather than silently not written.</summary>
    private static void RefusePersist(HttpContext context, string change)
    {
        if (Persist(context))
        {
            throw new ApiRefusal(StatusCodes.Status400BadRequest, $"persist=true is not taken by {change}: the config file has no key for it, expected no persist");
        }
    }

    /// <summary>Runs a handler, answering its refusals (the API's and the run's) as <see cref="ErrorBody"/>.</summary>
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
        catch (ControlException refused)
        {
            return ErrorAnswers.Result(StatusOf(refused.Kind), refused.Message);
        }
    }

    private static int StatusOf(ControlErrorKind kind) => kind switch
    {
        ControlErrorKind.NotFound => StatusCodes.Status404NotFound,
        ControlErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ControlErrorKind.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status503ServiceUnavailable,
    };
}
