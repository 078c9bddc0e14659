using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Edge.Server.Hosting;

/// <summary>The one shape of every refusal the app itself sends: <c>{"error": "one line", "status": 404}</c>.</summary>
/// <param name="Error">What was wrong and what was expected, on one line; never a secret the client sent.</param>
/// <param name="Status">The HTTP status, repeated for clients that only keep the body.</param>
public sealed record ErrorBody(string Error, int Status);

/// <summary>Writes <see cref="ErrorBody"/> answers, from middleware (<see cref="Send"/>) or from a handler (<see cref="Result"/>).</summary>
public static class ErrorAnswers
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public static Task Send(HttpContext context, int status, string error)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(Body(status, error), HostingJsonContext.Readable.ErrorBody, JsonContentType, context.RequestAborted);
    }

    public static IResult Result(int status, string error) =>
        TypedResults.Json(Body(status, error), HostingJsonContext.Readable.ErrorBody, JsonContentType, status);

    private static ErrorBody Body(int status, string error) => new(error.ReplaceLineEndings(" ").Trim(), status);
}

[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class HostingJsonContext : JsonSerializerContext
{
    /// <summary>With the app's conventions (<see cref="ServerJson"/>).</summary>
    public static HostingJsonContext Readable { get; } = new(ServerJson.Apply(new JsonSerializerOptions()));
}
