using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Edge.Server.Api;
using Edge.Server.Hosting;
using Edge.Server.Tests.Hosting;

namespace Edge.Server.Tests.Api;

/// <summary><c>PUT /api/v1/heads/{head}/model</c> over real HTTP against a real running pipeline.</summary>
[Collection(nameof(RunningPipelineCollection))]
public sealed class SwapEndpointTests : IDisposable
{
    private readonly RunningPipeline run = new(fps: 30);
    private readonly ControlTarget target = new();
    private readonly EdgeServer server;
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(60) };

    public SwapEndpointTests()
    {
        server = new EdgeServer(new ControlApiRoutes(target)) { Setting = "http" };
        server.Start("127.0.0.1:0");
        target.Attach(run.Control);
    }

    public void Dispose()
    {
        client.Dispose();
        server.Dispose();
        run.Dispose();
    }

    [Fact]
    public async Task Swap_ToAValidBundle_Answers200WithTimings_AndLaterLabelSetsNameTheNewModel()
    {
        using var next = RunningPipeline.Renamed("tiny-v2");
        await run.WaitForPublishedAsync(3);

        using var response = await Put($"/api/v1/heads/{run.Head}/model", Json(new { bundle = next.Directory }));
        var body = await response.Content.ReadAsStringAsync();
        var after = run.Published;
        await run.WaitForPublishedAsync(after + 3);

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(run.Head, root.GetProperty("head").GetString());
        Assert.Equal("tiny-v2", root.GetProperty("model").GetString());
        Assert.Equal(64, root.GetProperty("sha256").GetString()!.Length);
        var timings = root.GetProperty("timings_ms");
        Assert.Equal(["load", "create", "warm_up", "wait", "total"], timings.EnumerateObject().Select(property => property.Name));
        Assert.True(timings.GetProperty("total").GetDouble() >= timings.GetProperty("warm_up").GetDouble());
        Assert.True(timings.GetProperty("warm_up").GetDouble() > 0);
        var stream = Assert.Single(root.GetProperty("streams").EnumerateArray());
        Assert.Equal("cam0", stream.GetProperty("stream").GetString());
        Assert.True(stream.GetProperty("last_frame_on_old_model").GetInt64() >= 3);
        Assert.Equal("tiny-v2", run.LatestModel);
    }

    [Fact]
    public async Task Swap_ToABrokenBundle_Answers422WithTheReason_AndTheRunningModelKeepsPublishing()
    {
        using var broken = RunningPipeline.Renamed("tiny-broken");
        File.WriteAllBytes(broken.ModelPath, [1, 2, 3]);
        await run.WaitForPublishedAsync(1);
        var before = run.LatestModel;

        using var response = await Put($"/api/v1/heads/{run.Head}/model", Json(new { bundle = broken.Directory }));
        var after = run.Published;
        await run.WaitForPublishedAsync(after + 3);

        var error = await Answers.AssertError(response, (HttpStatusCode)422);
        Assert.StartsWith("the bundle could not be loaded: ", error, StringComparison.Ordinal);
        Assert.EndsWith("; the running model is untouched", error, StringComparison.Ordinal);
        Assert.Equal(before, run.LatestModel);
    }

    [Fact]
    public async Task Swap_BundleFolderThatDoesNotExist_Answers422()
    {
        using var response = await Put($"/api/v1/heads/{run.Head}/model", Json(new { bundle = "/nonexistent/bundle" }));

        Assert.Contains("/nonexistent/bundle", await Answers.AssertError(response, (HttpStatusCode)422), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swap_UnknownHead_Answers404NamingTheHeads()
    {
        using var response = await Put("/api/v1/heads/nope/model", Json(new { bundle = "/tmp" }));

        Assert.Equal($"no head is named 'nope': expected one of {run.Head}", await Answers.AssertError(response, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task SecondSwapWhileOneRuns_Answers409_AndTheFirstCompletes()
    {
        using var next = RunningPipeline.Renamed("tiny-v2");
        Task<HttpResponseMessage> first;
        HttpResponseMessage second;
        using (await run.StallFrameThreadAsync())
        {
            // The first swap loads and warms up, then waits for a batch boundary the stalled frame thread never reaches.
            first = client.PutAsync(Url($"/api/v1/heads/{run.Head}/model"), Json(new { bundle = next.Directory }));
            await Task.Delay(500);
            second = await client.PutAsync(Url($"/api/v1/heads/{run.Head}/model"), Json(new { bundle = next.Directory }));
            Assert.False(first.IsCompleted);
        }

        using var firstResponse = await first;
        using (second)
        {
            Assert.Equal("a model swap is in progress: expected one swap at a time, try again once it has finished", await Answers.AssertError(second, HttpStatusCode.Conflict));
        }

        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
    }

    [Theory]
    [InlineData("{}", "bundle is missing: expected {\"bundle\": \"FOLDER\"}")]
    [InlineData("{\"bundle\": \"\"}", "bundle is empty or not a path")]
    [InlineData("{\"bundle\": \"  \"}", "bundle is empty or not a path")]
    [InlineData("{\"bundle\": \"a\\u0000b\"}", "bundle is empty or not a path")]
    [InlineData("{\"bundle\": 5}", "the body is not what PUT /api/v1/heads/")]
    [InlineData("{\"bundle\": \"/x\", \"bundel\": \"/y\"}", "the body is not what PUT")]
    [InlineData("{\"bundle\": \"/x\", \"bundle\": \"/y\"}", "the body is not what PUT")]
    [InlineData("{\"bundle\": ", "the body is not what PUT")]
    [InlineData("", "the body is not what PUT")]
    [InlineData("null", "the body is null")]
    [InlineData("[\"/x\"]", "the body is not what PUT")]
    public async Task Swap_BadBody_Answers400NamingTheProblem(string body, string expected)
    {
        using var response = await Put($"/api/v1/heads/{run.Head}/model", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.StartsWith(expected, await Answers.AssertError(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Swap_WrongContentType_Answers415(string contentType)
    {
        using var response = await Put($"/api/v1/heads/{run.Head}/model", new StringContent("{\"bundle\": \"/x\"}", Encoding.UTF8, contentType));

        Assert.Equal($"content type '{contentType}; charset=utf-8' is not accepted by PUT /api/v1/heads/{run.Head}/model: expected application/json", await Answers.AssertError(response, HttpStatusCode.UnsupportedMediaType));
    }

    [Fact]
    public async Task Swap_NoContentType_Answers415()
    {
        using var content = new ByteArrayContent("{\"bundle\": \"/x\"}"u8.ToArray());

        using var response = await Put($"/api/v1/heads/{run.Head}/model", content);

        Assert.StartsWith("no content type is not accepted", await Answers.AssertError(response, HttpStatusCode.UnsupportedMediaType), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swap_BodyOver64KiB_Answers413()
    {
        var padded = "{\"bundle\": \"/x\"" + new string(' ', (int)ControlApiRoutes.MaxBodyBytes) + "}";

        using var response = await Put($"/api/v1/heads/{run.Head}/model", new StringContent(padded, Encoding.UTF8, "application/json"));

        Assert.StartsWith("the body is larger than 65536 bytes", await Answers.AssertError(response, HttpStatusCode.RequestEntityTooLarge), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swap_BodyOver64KiBWithoutContentLength_Answers413()
    {
        var padded = "{\"bundle\": \"/x\"" + new string(' ', 2 * (int)ControlApiRoutes.MaxBodyBytes) + "}";
        using var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(padded)));
        content.Headers.ContentType = new("application/json");

        using var response = await Put($"/api/v1/heads/{run.Head}/model", content);

        await Answers.AssertError(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Swap_BodyAboveTheServersDefaultButWithin64KiB_IsRead()
    {
        Assert.True(new ServerLimits().MaxRequestBodySize < 4096);
        var padded = "{\"bundle\": \"\"" + new string(' ', 4096) + "}";

        using var response = await Put($"/api/v1/heads/{run.Head}/model", new StringContent(padded, Encoding.UTF8, "application/json"));

        Assert.StartsWith("bundle is empty", await Answers.AssertError(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("persist=yes", "query parameter persist='yes' is not a boolean")]
    [InlineData("persist=true", "persist=true is not taken by a model swap")]
    public async Task Swap_Persist_IsRefused(string query, string expected)
    {
        using var response = await Put($"/api/v1/heads/{run.Head}/model?{query}", Json(new { bundle = "/x" }));

        Assert.StartsWith(expected, await Answers.AssertError(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    [InlineData("DELETE")]
    public async Task Swap_OtherMethods_Answer405(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), Url($"/api/v1/heads/{run.Head}/model"));
        using var response = await client.SendAsync(request);

        Assert.Equal($"method {method} not allowed on /api/v1/heads/{run.Head}/model, expected PUT", await Answers.AssertError(response, HttpStatusCode.MethodNotAllowed));
    }

    [Fact]
    public async Task BeforeTheRunIsAttached_Answers503()
    {
        using var unattached = new EdgeServer(new ControlApiRoutes(new ControlTarget())) { Setting = "http" };
        unattached.Start("127.0.0.1:0");

        using var response = await client.PutAsync($"http://127.0.0.1:{unattached.LocalEndpoint!.Port}/api/v1/heads/{run.Head}/model", Json(new { bundle = "/x" }));

        Assert.StartsWith("the run is still starting", await Answers.AssertError(response, HttpStatusCode.ServiceUnavailable), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterTheRunStopped_Answers503()
    {
        target.Stop();

        using var response = await Put($"/api/v1/heads/{run.Head}/model", Json(new { bundle = "/x" }));

        Assert.StartsWith("the run is stopping", await Answers.AssertError(response, HttpStatusCode.ServiceUnavailable), StringComparison.Ordinal);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private async Task<HttpResponseMessage> Put(string path, HttpContent content)
    {
        using (content)
        {
            return await client.PutAsync(Url(path), content);
        }
    }

    private Uri Url(string path) => new($"http://127.0.0.1:{server.LocalEndpoint!.Port}{path}");

    /// <summary>Makes HttpClient send the body chunked, without a Content-Length to refuse it by.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>Tests that run a real pipeline on the system clock run one at a time (their pace is what they check).</summary>
[CollectionDefinition(nameof(RunningPipelineCollection), DisableParallelization = true)]
public sealed class RunningPipelineCollection;
