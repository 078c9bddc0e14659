using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Edge.Server.LiveView;

/// <summary><c>GET /view/streams.json</c>: the streams the page can show, with their heads, labels and thresholds.</summary>
internal sealed record StreamsDocument(double MaxFps, int MaxViewers, IReadOnlyList<StreamEntry> Streams);

/// <param name="Labels">As configured at start; empty for a stream learnt from its frames (the page learns them from the label sets).</param>
internal sealed record StreamEntry(string Id, IReadOnlyList<string> Heads, IReadOnlyList<ViewedLabel> Labels, int Viewers);

/// <summary>A refusal, as every HTTP API of edge answers one: <c>{"error": "...", "status": N}</c>.</summary>
internal sealed record ErrorBody(string Error, int Status);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StreamsDocument))]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class ViewJsonContext : JsonSerializerContext;

/// <summary>JSON answers of the live view's routes.</summary>
internal static class ViewAnswers
{
    public static Task Json<T>(HttpContext context, int status, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, type);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(bytes).AsTask();
    }

    /// <summary>A refusal with its reason in one line.</summary>
    public static Task Error(HttpContext context, int status, string message) =>
        Json(context, status, new ErrorBody(message.ReplaceLineEndings(" "), status), ViewJsonContext.Default.ErrorBody);

    /// <summary>405 unless the request is a GET (or HEAD, when <paramref name="head"/>); true when it was answered.</summary>
    public static bool RefuseOtherMethods(HttpContext context, bool head, out Task answer)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || (head && HttpMethods.IsHead(method)))
        {
            answer = Task.CompletedTask;
            return false;
        }

        var allowed = head ? "GET, HEAD" : "GET";
        context.Response.Headers.Allow = allowed;
        answer = Error(context, 405, $"method {method} not allowed on {context.Request.Path}, expected {allowed.Replace(", ", " or ", StringComparison.Ordinal)}");
        return true;
    }
}
