using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Edge.Server.Api;
using Edge.Server.Hosting;
using Edge.Server.Hosting.Security;
using Edge.Server.Tests.Hosting;

namespace Edge.Server.Tests.Api;

/// <summary>The app describes its control API at <c>/openapi/v1.json</c> (Microsoft.AspNetCore.OpenApi), behind the token like the API.</summary>
public sealed class OpenApiDocumentTests : IDisposable
{
    private const string Token = "0123456789abcdef-openapi-token";

    private readonly EdgeServer server;
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(30) };

    public OpenApiDocumentTests()
    {
        server = new EdgeServer(new ControlApiRoutes(new ControlTarget())) { Setting = "http", Security = new ServerSecurity { Token = ApiToken.Parse(Token, "test") } };
        server.Start("127.0.0.1:0");
    }

    public void Dispose()
    {
        client.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task Document_DescribesEveryRouteWithItsBodyAnswersAndRefusals()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(ControlApiRoutes.OpenApiPath));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("edge control API", root.GetProperty("info").GetProperty("title").GetString());
        var swap = root.GetProperty("paths").GetProperty("/api/v1/heads/{head}/model").GetProperty("put");
        Assert.Equal("SwapModel", swap.GetProperty("operationId").GetString());
        Assert.Equal("head", swap.GetProperty("parameters")[0].GetProperty("name").GetString());
        Assert.EndsWith("/SwapRequest", swap.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString(), StringComparison.Ordinal);
        var answers = swap.GetProperty("responses");
        Assert.EndsWith("/SwapAnswer", answers.GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString(), StringComparison.Ordinal);
        foreach (var status in new[] { "400", "401", "403", "404", "409", "413", "415", "422", "429", "503" })
        {
            Assert.EndsWith("/ErrorBody", answers.GetProperty(status).GetProperty("content").EnumerateObject().Single().Value.GetProperty("schema").GetProperty("$ref").GetString(), StringComparison.Ordinal);
        }

        var schemas = root.GetProperty("components").GetProperty("schemas");
        Assert.Equal(["error", "status"], schemas.GetProperty("ErrorBody").GetProperty("properties").EnumerateObject().Select(property => property.Name));
        Assert.True(schemas.GetProperty("SwapAnswer").GetProperty("properties").TryGetProperty("timings_ms", out _), schemas.GetRawText());
    }

    [Fact]
    public async Task Document_NeedsTheToken()
    {
        using var response = await client.GetAsync(Url(ControlApiRoutes.OpenApiPath));

        await Answers.AssertError(response, HttpStatusCode.Unauthorized);
    }

    private Uri Url(string path) => new($"http://127.0.0.1:{server.LocalEndpoint!.Port}{path}");
}
