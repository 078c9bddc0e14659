using System.Net;
using System.Text.Json;

namespace Edge.Server.Tests.Hosting;

/// <summary>Reads the server's answers as a client would.</summary>
internal static class Answers
{
    /// <summary>Asserts the status and the one error shape, <c>{"error": "...", "status": N}</c>, and returns the error text.</summary>
    public static async Task<string> AssertError(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        using var json = JsonDocument.Parse(body);
        Assert.Equal(["error", "status"], json.RootElement.EnumerateObject().Select(property => property.Name));
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
        var error = json.RootElement.GetProperty("error").GetString()!;
        Assert.DoesNotContain('\n', error);
        return error;
    }
}
