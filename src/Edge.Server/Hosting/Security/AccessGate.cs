using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Edge.Server.Hosting.Security;

/// <summary>
/// Middleware after routing: an endpoint with an <see cref="AccessRequirement"/> is served only to a client that
/// shows the API token, as <c>Authorization: Bearer TOKEN</c> or as the view cookie (and, on view endpoints, as
/// <c>?access_token=TOKEN</c>, for what a browser opens without headers: a WebSocket, an image). A browser opening the
/// view's page with <c>?token=TOKEN</c> gets the cookie and is sent on to the same page without the token in its
/// address. No token at all answers 401, a wrong one 403. Refusals are logged with the client's address, never with
/// what it sent.
/// </summary>
internal sealed class AccessGate(RequestDelegate next, ServerSecurity security, ILogger<AccessGate> log)
{
    /// <summary>The cookie the view sets; it holds <see cref="ApiToken.ViewCookieValue"/>, not the token.</summary>
    public const string ViewCookie = "edge_view";

    /// <summary>The query parameter a browser may bring the token in, once, to the view's page (which then sets the cookie).</summary>
    public const string TokenParameter = "token";

    /// <summary>The query parameter that carries the token on a view endpoint itself (RFC 6750's name).</summary>
    public const string AccessTokenParameter = "access_token";

    private const string Expected = "expected Authorization: Bearer TOKEN (the API token from EDGE_API_TOKEN or http_token_file)";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<AccessRequirement>() is not { } requirement || security.Token is not { } token)
        {
            return next(context);
        }

        var request = context.Request;
        if (requirement.Kind == Access.Page)
        {
            return !request.Query.TryGetValue(TokenParameter, out var toKeep) || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
                ? next(context)
                : token.Matches(toKeep.ToString()) ? SetCookieAndRedirect(context, token) : Refuse(context, StatusCodes.Status403Forbidden, "the API token does not match");
        }

        if (requirement.Kind == Access.View && security.ViewPublic)
        {
            return next(context);
        }

        if (request.Headers.Authorization is { Count: > 0 } authorization)
        {
            if (!TryBearer(authorization, out var presented))
            {
                return Refuse(context, StatusCodes.Status401Unauthorized, $"the Authorization header is not a Bearer token: {Expected}");
            }

            return token.Matches(presented)
                ? next(context)
                : Refuse(context, StatusCodes.Status403Forbidden, "the API token does not match");
        }

        if (requirement.Kind == Access.View && request.Query.TryGetValue(AccessTokenParameter, out var fromQuery))
        {
            return token.Matches(fromQuery.ToString()) ? next(context) : Refuse(context, StatusCodes.Status403Forbidden, "the API token does not match");
        }

        if (request.Cookies.TryGetValue(ViewCookie, out var cookie))
        {
            return token.MatchesViewCookie(cookie)
                ? next(context)
                : Refuse(context, StatusCodes.Status403Forbidden, $"the {ViewCookie} cookie does not match the API token (was the token changed?): open the view's page with ?{TokenParameter}=TOKEN again");
        }

        var how = requirement.Kind == Access.View ? $"{Expected}, or open the view's page once with ?{TokenParameter}=TOKEN" : Expected;
        return Refuse(context, StatusCodes.Status401Unauthorized, $"{request.Path} needs the API token: {how}");
    }

    private static bool TryBearer(StringValues header, out string token)
    {
        var value = header.ToString();
        const string scheme = "Bearer ";
        token = value.Length > scheme.Length && value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? value[scheme.Length..].Trim() : "";
        return token.Length > 0 && header.Count == 1;
    }

    /// <summary>
    /// The cookie is HttpOnly (page scripts cannot read it), SameSite=Strict (no other site's page can make the
    /// browser send it) and Secure over HTTPS; it lasts as long as the browser session.
    /// </summary>
    private static Task SetCookieAndRedirect(HttpContext context, ApiToken token)
    {
        var request = context.Request;
        context.Response.Cookies.Append(ViewCookie, token.ViewCookieValue, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = request.IsHttps,
            Path = "/",
        });
        var rest = new QueryBuilder(request.Query.Where(pair => !string.Equals(pair.Key, TokenParameter, StringComparison.Ordinal)));
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = $"{request.PathBase}{request.Path}{rest.ToQueryString()}";
        context.Response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }

    private Task Refuse(HttpContext context, int status, string error)
    {
        var address = context.Connection.RemoteIpAddress;
        if (status == StatusCodes.Status403Forbidden)
        {
            log.LogWarning("refused {Method} {Path} from {Address}: {Reason}", context.Request.Method, context.Request.Path, address, error);
        }
        else
        {
            log.LogDebug("refused {Method} {Path} from {Address}: {Reason}", context.Request.Method, context.Request.Path, address, error);
        }

        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"edge\"";
        }

        return ErrorAnswers.Send(context, status, error);
    }
}
