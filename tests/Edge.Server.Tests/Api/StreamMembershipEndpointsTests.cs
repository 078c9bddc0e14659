using System.Net;
using System.Text;
using System.Text.Json;
using Edge.Server.Api;
using Edge.Server.Hosting;
using Edge.Server.Tests.Hosting;

namespace Edge.Server.Tests.Api;

/// <summary><c>POST /api/v1/streams</c> and <c>DELETE /api/v1/streams/{id}</c> over real HTTP against a real running pipeline.</summary>
[Collection(nameof(RunningPipelineCollection))]
public sealed class StreamMembershipEndpointsTests : IDisposable
{
    private readonly RunningPipeline run = new(fps: 30);
    private readonly EdgeServer server;
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(30) };

    public StreamMembershipEndpointsTests()
    {
        var target = new ControlTarget();
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
    public async Task AddThenRemove_TheStreamPublishesWhileItRuns_AndStopsOnceRemoved()
    {
        using var added = await Send(HttpMethod.Post, "/api/v1/streams", """{"id": "yard", "source": "synthetic?fps=30&size=32", "budget_ms": 2000, "miss_policy": "drop"}""");
        var addedBody = await added.Content.ReadAsStringAsync();
        await WaitFor(() => run.PublishedOf("yard") >= 5);
        using var status = await client.GetAsync(Url("/api/v1/status"));
        var statusBody = await status.Content.ReadAsStringAsync();

        using var removed = await Send(HttpMethod.Delete, "/api/v1/streams/yard");
        var removedBody = await removed.Content.ReadAsStringAsync();
        var afterRemoval = run.PublishedOf("yard");
        var cam0 = run.PublishedOf("cam0");
        await WaitFor(() => run.PublishedOf("cam0") >= cam0 + 10);

        Assert.True(added.StatusCode == HttpStatusCode.Created, addedBody);
        Assert.Equal("/api/v1/streams/yard", added.Headers.Location?.ToString());
        using (var json = JsonDocument.Parse(addedBody))
        {
            Assert.Equal("yard", json.RootElement.GetProperty("stream").GetString());
            Assert.Equal([run.Head], json.RootElement.GetProperty("heads").EnumerateArray().Select(head => head.GetString()));
        }

        Assert.Contains("\"id\":\"yard\"", statusBody, StringComparison.Ordinal);
        Assert.True(removed.StatusCode == HttpStatusCode.OK, removedBody);
        using (var json = JsonDocument.Parse(removedBody))
        {
            Assert.Equal("yard", json.RootElement.GetProperty("stream").GetString());
            Assert.True(json.RootElement.GetProperty("last_frame").GetInt64() >= 5);
        }

        Assert.Equal(afterRemoval, run.PublishedOf("yard"));
    }

    [Theory]
    [InlineData("""{"source": "synthetic"}""", HttpStatusCode.BadRequest, "id is missing")]
    [InlineData("""{"id": "yard"}""", HttpStatusCode.BadRequest, "source is missing")]
    [InlineData("""{"id": "Yard!", "source": "synthetic"}""", HttpStatusCode.BadRequest, "stream 'Yard!': ")]
    [InlineData("""{"id": "yard", "source": "synthetic", "budget_ms": 0}""", HttpStatusCode.BadRequest, "stream 'yard': ")]
    [InlineData("""{"id": "yard", "source": "synthetic", "miss_policy": "later"}""", HttpStatusCode.BadRequest, "miss_policy 'later' is not a miss policy")]
    [InlineData("""{"id": "yard", "source": "synthetic", "output": "yard.jsonl"}""", HttpStatusCode.BadRequest, "output is not taken by a stream added at run time")]
    [InlineData("""{"id": "yard", "source": "synthetic", "colour": "red"}""", HttpStatusCode.BadRequest, "the body is not what POST /api/v1/streams takes")]
    [InlineData("""{"id": "yard", "source": "nosuchscheme:x"}""", HttpStatusCode.BadRequest, "stream 'yard': ")]
    [InlineData("""{"id": "cam0", "source": "synthetic"}""", HttpStatusCode.Conflict, "stream 'cam0' runs already")]
    [InlineData("""{"id": "yard", "source": "synthetic", "heads": ["nope"]}""", HttpStatusCode.BadRequest, "stream 'yard': ")]
    public async Task Add_BadStream_RefusedNamingTheProblem(string body, HttpStatusCode expected, string start)
    {
        using var response = await Send(HttpMethod.Post, "/api/v1/streams", body);

        Assert.StartsWith(start, await Answers.AssertError(response, expected), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_UnknownStream_Answers404()
    {
        using var response = await Send(HttpMethod.Delete, "/api/v1/streams/nope");

        Assert.Equal("no stream is named 'nope': expected one of [cam0]", await Answers.AssertError(response, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Remove_TheLastStream_Answers409()
    {
        using var response = await Send(HttpMethod.Delete, "/api/v1/streams/cam0");

        await Answers.AssertError(response, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Add_PersistWithoutAConfigFile_Answers409AndAddsNothing()
    {
        using var response = await Send(HttpMethod.Post, "/api/v1/streams?persist=true", """{"id": "yard", "source": "synthetic"}""");

        Assert.StartsWith("the run has no config file to write changes back to", await Answers.AssertError(response, HttpStatusCode.Conflict), StringComparison.Ordinal);
        Assert.Equal(["cam0"], run.Control.StreamIds);
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, Url(path));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(10);
        }
    }

    private Uri Url(string path) => new($"http://127.0.0.1:{server.LocalEndpoint!.Port}{path}");
}
