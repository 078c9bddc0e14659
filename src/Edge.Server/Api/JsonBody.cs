using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Edge.Server.Api;

/// <summary>
/// Reads a control request's JSON body strictly (source-generated, unknown and duplicate keys refused), turning each
/// way it can be wrong into its own refusal: not JSON (415), too large (413), malformed or of the wrong shape (400).
/// </summary>
internal static class JsonBody
{
    /// <param name="expected">The body's shape, for the refusal's "expected ..." (e.g. <c>{"bundle": "FOLDER"}</c>).</param>
    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type, string expected)
        where T : class
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            var given = string.IsNullOrEmpty(request.ContentType) ? "no content type" : $"content type '{request.ContentType}'";
            throw new ApiRefusal(StatusCodes.Status415UnsupportedMediaType, $"{given} is not accepted: expected application/json with a body {expected}");
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, type, context.RequestAborted).ConfigureAwait(false)
                ?? throw new ApiRefusal(StatusCodes.Status400BadRequest, $"the body is null: expected {expected}");
        }
        catch (JsonException e)
        {
            throw new ApiRefusal(StatusCodes.Status400BadRequest, $"the body is not what {request.Method} {request.Path} takes ({e.Message}): expected {expected}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            throw new ApiRefusal(StatusCodes.Status413PayloadTooLarge, $"the body is larger than {limit} bytes, the most {request.Path} takes: expected {expected}");
        }
    }
}
