using System.Net;
using Edge.Outputs.Streams;
using Edge.Runtime.Options;
using Edge.Server.Health;
using Edge.Server.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Server.Tests.Health;

/// <summary><c>/readyz</c>: 503 with why until the model is warm and every required stream has had a frame processed, then 200 for good.</summary>
public sealed class ReadinessTests : IDisposable
{
    private readonly FakeTimeProvider time = new();
    private readonly StreamLiveness streams;
    private readonly RunReadiness readiness;
    private readonly EdgeServer server;
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(10) };

    public ReadinessTests()
    {
        streams = new StreamLiveness(
            [
                new StreamOptions { Id = "door", Source = "synthetic" },
                new StreamOptions { Id = "yard", Source = "synthetic" },
                new StreamOptions { Id = "spare", Source = "synthetic", Required = false },
            ],
            time);
        readiness = new RunReadiness(streams);
        server = new EdgeServer(new ReadinessRoutes(readiness));
        server.Start("127.0.0.1:0");
    }

    public void Dispose()
    {
        client.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task BeforeTheModelIsWarm_Answers503Loading()
    {
        streams.RecordFrame("door");
        streams.RecordFrame("yard");

        var (status, body) = await Ready();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("not ready: the model is loading or warming up\n", body);
    }

    [Fact]
    public async Task WarmButRequiredStreamsWithoutAFrame_Answers503NamingThem()
    {
        readiness.ModelWarm();
        streams.RecordFrame("door");

        var (status, body) = await Ready();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("not ready: no frame processed yet from stream yard\n", body);
    }

    [Fact]
    public async Task WarmAndEveryRequiredStreamHadAFrame_Answers200_EvenWithoutTheOptionalOne()
    {
        readiness.ModelWarm();
        streams.RecordFrame("door");
        streams.RecordFrame("yard");

        var (status, body) = await Ready();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready\n", body);
    }

    [Fact]
    public async Task OnceReady_StaysReadyWhenFramesStop()
    {
        readiness.ModelWarm();
        streams.RecordFrame("door");
        streams.RecordFrame("yard");
        time.Advance(TimeSpan.FromHours(1));

        var (status, _) = await Ready();

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public void OnceReady_AStreamJoiningLater_DoesNotMakeItUnready()
    {
        readiness.ModelWarm();
        streams.RecordFrame("door");
        streams.RecordFrame("yard");
        Assert.Null(readiness.Pending());

        streams.Add(new StreamOptions { Id = "gate", Source = "synthetic" });

        Assert.Null(readiness.Pending());
    }

    [Fact]
    public void BeforeReady_ARemovedStream_IsNotWaitedFor()
    {
        readiness.ModelWarm();
        streams.RecordFrame("door");
        streams.Remove("yard");

        Assert.Null(readiness.Pending());
    }

    [Fact]
    public void NoStreamRequired_WaitsForEveryStream()
    {
        var optional = new StreamLiveness([new StreamOptions { Id = "a", Source = "synthetic", Required = false }, new StreamOptions { Id = "b", Source = "synthetic", Required = false }], time);
        var ready = new RunReadiness(optional);
        ready.ModelWarm();

        Assert.Equal("no frame processed yet from streams a, b", ready.Pending());
        optional.RecordFrame("a");
        optional.RecordFrame("b");
        Assert.Null(ready.Pending());
    }

    [Fact]
    public async Task Post_Answers405AsJson()
    {
        using var response = await client.PostAsync(Url(), new StringContent(""));

        var error = await Hosting.Answers.AssertError(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("method POST not allowed on /readyz, expected GET or HEAD", error);
    }

    private async Task<(HttpStatusCode Status, string Body)> Ready()
    {
        using var response = await client.GetAsync(Url());
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private Uri Url() => new($"http://127.0.0.1:{server.LocalEndpoint!.Port}/readyz");
}
