using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Edge.Server.Api;
using Edge.Server.Hosting;
using Edge.Server.Hosting.Security;
using Edge.Server.Tests.Hosting;

namespace Edge.Server.Tests.Api;

/// <summary>Status, pause and resume, thresholds and budget over real HTTP against a real running pipeline.</summary>
[Collection(nameof(RunningPipelineCollection))]
public sealed class ControlEndpointsTests : IDisposable
{
    private const string Token = "0123456789abcdef-control-token";
    private static readonly string Label = TestBundle.LabelNames[0];

    private readonly RunningPipeline run = new(fps: 30);
    private readonly ControlTarget target = new();
    private readonly EdgeServer server;
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(30) };

    public ControlEndpointsTests()
    {
        server = new EdgeServer(new ControlApiRoutes(target)) { Setting = "http", Security = new ServerSecurity { Token = ApiToken.Parse(Token, "test") } };
        server.Start("127.0.0.1:0");
        target.Attach(run.Control);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public void Dispose()
    {
        client.Dispose();
        server.Dispose();
        run.Dispose();
    }

    [Fact]
    public async Task Status_DescribesHeadsStreamsAndTotals_InSnakeCase()
    {
        await run.WaitForPublishedAsync(75); // rates count whole seconds: over two of them at 30 fps


        using var response = await client.GetAsync(Url("/api/v1/status"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal("test-device", root.GetProperty("device").GetString());
        var head = Assert.Single(root.GetProperty("heads").EnumerateArray());
        Assert.Equal(run.Head, head.GetProperty("name").GetString());
        Assert.Equal("cpu", head.GetProperty("execution_provider").GetString());
        Assert.Equal(12, head.GetProperty("sha256_prefix").GetString()!.Length);
        var stream = Assert.Single(root.GetProperty("streams").EnumerateArray());
        Assert.Equal("cam0", stream.GetProperty("id").GetString());
        Assert.True(stream.GetProperty("connected").GetBoolean());
        Assert.False(stream.GetProperty("paused").GetBoolean());
        Assert.Equal("flag", stream.GetProperty("miss_policy").GetString());
        var lane = Assert.Single(stream.GetProperty("heads").EnumerateArray());
        Assert.True(lane.GetProperty("published").GetInt64() >= 20);
        Assert.Equal(0, lane.GetProperty("level").GetInt32());
        Assert.True(lane.GetProperty("fps").GetDouble() > 0, body);
        Assert.True(lane.GetProperty("end_to_end_p50_ms").GetDouble() > 0);
        Assert.True(root.GetProperty("totals").GetProperty("published").GetInt64() >= 20);
    }

    [Fact]
    public async Task PauseThenResume_StopsAndRestartsLabelSets_AtAFrameBoundary()
    {
        await run.WaitForPublishedAsync(5);

        var (pauseStatus, paused) = await Send(HttpMethod.Post, "/api/v1/streams/cam0/pause");
        var atPause = run.Published;
        await Task.Delay(500);
        var afterPause = run.Published;
        using var status = await client.GetAsync(Url("/api/v1/status"));
        var statusBody = await status.Content.ReadAsStringAsync();
        var (resumeStatus, resumed) = await Send(HttpMethod.Post, "/api/v1/streams/cam0/resume");
        await run.WaitForPublishedAsync(afterPause + 5);

        Assert.Equal(HttpStatusCode.OK, pauseStatus);
        Assert.Equal("cam0", paused.GetProperty("stream").GetString());
        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.True(paused.GetProperty("last_frame_before").GetInt64() >= 5);
        Assert.True(afterPause - atPause <= 1, $"{afterPause - atPause} label sets published while paused");
        Assert.Contains("\"paused\":true", statusBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, resumeStatus);
        Assert.False(resumed.GetProperty("paused").GetBoolean());
        Assert.True(resumed.GetProperty("last_frame_before").GetInt64() > paused.GetProperty("last_frame_before").GetInt64());
    }

    [Fact]
    public async Task SetThresholds_AppliesAndAnswersEveryLabelsThresholdsInForce()
    {
        var (status, answer) = await Send(HttpMethod.Put, "/api/v1/streams/cam0/thresholds", $$$"""{"{{{Label}}}": {"threshold": 0.9, "off_threshold": 0.8}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("cam0", answer.GetProperty("stream").GetString());
        var head = Assert.Single(answer.GetProperty("heads").EnumerateArray());
        Assert.Equal(run.Head, head.GetProperty("head").GetString());
        var labels = head.GetProperty("labels").EnumerateArray().ToList();
        Assert.Equal(TestBundle.LabelNames.Length, labels.Count);
        var changed = Assert.Single(labels, label => label.GetProperty("label").GetString() == Label);
        Assert.Equal(0.9, changed.GetProperty("threshold").GetDouble(), 5);
        Assert.Equal(0.8, changed.GetProperty("off_threshold").GetDouble(), 5);
    }

    [Fact]
    public async Task SetThresholds_ForANamedHead_AppliesToIt()
    {
        var (status, answer) = await Send(HttpMethod.Put, $"/api/v1/streams/cam0/thresholds?head={run.Head}", $$$"""{"{{{Label}}}": {"threshold": 0.6}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(run.Head, Assert.Single(answer.GetProperty("heads").EnumerateArray()).GetProperty("head").GetString());
    }

    [Theory]
    [InlineData("""{"LABEL": {"threshold": 1.5}}""", HttpStatusCode.BadRequest, "stream 'cam0': ")]
    [InlineData("""{"LABEL": {"threshold": 0.5, "off_threshold": 0.7}}""", HttpStatusCode.BadRequest, "stream 'cam0': ")]
    [InlineData("""{"LABEL": {"threshold": -0.1}}""", HttpStatusCode.BadRequest, "stream 'cam0': ")]
    [InlineData("""{"no-such-label": {"threshold": 0.5}}""", HttpStatusCode.BadRequest, "stream 'cam0': ")]
    [InlineData("""{}""", HttpStatusCode.BadRequest, "stream 'cam0': no thresholds given")]
    [InlineData("""{"LABEL": {"threshold": "0.5"}}""", HttpStatusCode.BadRequest, "the body is not what PUT /api/v1/streams/cam0/thresholds takes")]
    [InlineData("""{"LABEL": {"off_threshold": 0.5}}""", HttpStatusCode.BadRequest, "the body is not what PUT")]
    [InlineData("""{"LABEL": {"threshold": 0.5, "hysteresis": 0.1}}""", HttpStatusCode.BadRequest, "the body is not what PUT")]
    [InlineData("""{"LABEL": {"threshold": NaN}}""", HttpStatusCode.BadRequest, "the body is not what PUT")]
    [InlineData("""{"LABEL": 0.5}""", HttpStatusCode.BadRequest, "the body is not what PUT")]
    public async Task SetThresholds_BadValues_RefusedNamingTheProblem(string body, HttpStatusCode expected, string start)
    {
        var (status, answer) = await Send(HttpMethod.Put, "/api/v1/streams/cam0/thresholds", body.Replace("LABEL", Label, StringComparison.Ordinal));

        Assert.Equal(expected, status);
        Assert.StartsWith(start, answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/streams/nope/thresholds", "no stream is named 'nope': expected one of [cam0]")]
    [InlineData("/api/v1/streams/cam0/thresholds?head=nope", "stream 'cam0' feeds no head named 'nope'")]
    public async Task SetThresholds_UnknownStreamOrHead_Answers404(string path, string start)
    {
        var (status, answer) = await Send(HttpMethod.Put, path, $$$"""{"{{{Label}}}": {"threshold": 0.5}}""");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.StartsWith(start, answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetThresholds_PersistWithoutAConfigFile_Answers409()
    {
        var (status, answer) = await Send(HttpMethod.Put, "/api/v1/streams/cam0/thresholds?persist=true", $$$"""{"{{{Label}}}": {"threshold": 0.5}}""");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.StartsWith("the run has no config file to write changes back to", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetBudget_BudgetAndPolicy_AppliedAndAnswered()
    {
        var (status, answer) = await Send(HttpMethod.Put, "/api/v1/streams/cam0/budget", """{"budget_ms": 250, "miss_policy": "drop"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(250, answer.GetProperty("budget_ms").GetDouble());
        Assert.Equal("drop", answer.GetProperty("miss_policy").GetString());
        var head = Assert.Single(answer.GetProperty("heads").EnumerateArray());
        Assert.Equal(250, head.GetProperty("budget_ms").GetDouble());
        using var statusResponse = await client.GetAsync(Url("/api/v1/status"));
        Assert.Contains("\"miss_policy\":\"drop\"", await statusResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetBudget_PolicyAlone_KeepsTheBudget()
    {
        var (status, answer) = await Send(HttpMethod.Put, "/api/v1/streams/cam0/budget", """{"miss_policy": "flag"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(5_000, answer.GetProperty("budget_ms").GetDouble());
    }

    [Theory]
    [InlineData("""{"budget_ms": 0}""", HttpStatusCode.BadRequest, "stream 'cam0': ")]
    [InlineData("""{"budget_ms": 60001}""", HttpStatusCode.BadRequest, "stream 'cam0': ")]
    [InlineData("""{"budget_ms": -5}""", HttpStatusCode.BadRequest, "stream 'cam0': ")]
    [InlineData("""{}""", HttpStatusCode.BadRequest, "stream 'cam0': neither a budget nor a miss policy given")]
    [InlineData("""{"miss_policy": "panic"}""", HttpStatusCode.BadRequest, "miss_policy 'panic' is not a miss policy: expected drop, flag or degrade")]
    [InlineData("""{"budget_ms": "80"}""", HttpStatusCode.BadRequest, "the body is not what PUT /api/v1/streams/cam0/budget takes")]
    [InlineData("""{"budget": 80}""", HttpStatusCode.BadRequest, "the body is not what PUT")]
    public async Task SetBudget_BadValues_RefusedNamingTheProblem(string body, HttpStatusCode expected, string start)
    {
        var (status, answer) = await Send(HttpMethod.Put, "/api/v1/streams/cam0/budget", body);

        Assert.Equal(expected, status);
        Assert.StartsWith(start, answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "/api/v1/streams/nope/pause")]
    [InlineData("POST", "/api/v1/streams/nope/resume")]
    [InlineData("PUT", "/api/v1/streams/nope/budget")]
    public async Task UnknownStream_Answers404(string method, string path)
    {
        var (status, answer) = await Send(new HttpMethod(method), path, """{"budget_ms": 100}""");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("no stream is named 'nope': expected one of [cam0]", answer.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("/api/v1/streams/cam0/pause")]
    [InlineData("/api/v1/streams/cam0/resume")]
    public async Task PauseOrResume_Persist_IsRefused(string path)
    {
        var (status, answer) = await Send(HttpMethod.Post, path + "?persist=true");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("persist=true is not taken by ", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/v1/status")]
    [InlineData("POST", "/api/v1/streams/cam0/pause")]
    [InlineData("POST", "/api/v1/streams/cam0/resume")]
    [InlineData("PUT", "/api/v1/streams/cam0/thresholds")]
    [InlineData("PUT", "/api/v1/streams/cam0/budget")]
    [InlineData("PUT", "/api/v1/heads/x/model")]
    public async Task EveryRoute_WithoutTheToken_Answers401(string method, string path)
    {
        using var anonymous = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(new HttpMethod(method), Url(path)) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };

        using var response = await anonymous.SendAsync(request);

        await Answers.AssertError(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("GET", "/api/v1/status")]
    [InlineData("POST", "/api/v1/streams/cam0/pause")]
    [InlineData("PUT", "/api/v1/streams/cam0/thresholds")]
    [InlineData("PUT", "/api/v1/streams/cam0/budget")]
    public async Task EveryRoute_BeforeTheRunIsAttached_Answers503(string method, string path)
    {
        using var unattached = new EdgeServer(new ControlApiRoutes(new ControlTarget())) { Setting = "http" };
        unattached.Start("127.0.0.1:0");
        using var request = new HttpRequestMessage(new HttpMethod(method), $"http://127.0.0.1:{unattached.LocalEndpoint!.Port}{path}") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };

        using var response = await client.SendAsync(request);

        Assert.StartsWith("the run is still starting", await Answers.AssertError(response, HttpStatusCode.ServiceUnavailable), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KnownPathOtherMethod_Answers405NamingTheMethods()
    {
        using var response = await client.GetAsync(Url("/api/v1/streams"));

        Assert.Equal("method GET not allowed on /api/v1/streams, expected POST", await Answers.AssertError(response, HttpStatusCode.MethodNotAllowed));
    }

    [Fact]
    public async Task UnknownApiPath_Answers404AsJson()
    {
        using var response = await client.GetAsync(Url("/api/v1/cameras"));

        Assert.StartsWith("not found: /api/v1/cameras", await Answers.AssertError(response, HttpStatusCode.NotFound), StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, Url(path));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        var watch = Stopwatch.StartNew();
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{method} {path} took {watch.Elapsed.TotalSeconds:F1} s");
        using var document = JsonDocument.Parse(body);
        return (response.StatusCode, document.RootElement.Clone());
    }

    private Uri Url(string path) => new($"http://127.0.0.1:{server.LocalEndpoint!.Port}{path}");
}
