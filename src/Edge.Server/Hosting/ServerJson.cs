using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.Server.Hosting;

/// <summary>
/// The JSON the whole app speaks: snake_case names like the config file and the label-set messages, numbers as
/// numbers only, and text escaped only where JSON needs it (answers are <c>application/json</c>, never pasted into
/// HTML, so <c>'</c> stays <c>'</c> for people reading them with curl).
/// </summary>
public static class ServerJson
{
    /// <summary>Sets the app's conventions on <paramref name="options"/> (the ASP.NET Core JSON options, which the OpenAPI document's schemas follow, or a context's).</summary>
    public static JsonSerializerOptions Apply(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        return options;
    }
}
