using System.Net;
using System.Net.Http.Headers;
using Edge.Server.Hosting;
using Edge.Server.Hosting.Security;

namespace Edge.Server.Tests.Hosting;

/// <summary>The API token at the door: Bearer header, the view's cookie, the view's one-time query parameter; 401 without, 403 when wrong.</summary>
public sealed class AccessGateTests : IDisposable
{
    private const string Token = "0123456789abcdef-the-test-token";

    private readonly List<EdgeServer> servers = [];
    private readonly HttpClient client = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose()
    {
        client.Dispose();
        servers.ForEach(server => server.Dispose());
    }

    [Fact]
    public async Task NoTokenConfigured_OnLoopback_ControlIsOpen()
    {
        var port = Start(new ServerSecurity());

        using var response = await client.GetAsync(Url(port, "/guarded/control"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/guarded/control")]
    [InlineData("/guarded/view")]
    public async Task TokenConfigured_NoToken_Answers401WithBearerChallenge(string path)
    {
        var port = Start(WithToken());

        using var response = await client.GetAsync(Url(port, path));

        var error = await Answers.AssertError(response, HttpStatusCode.Unauthorized);
        Assert.StartsWith($"{path} needs the API token: expected Authorization: Bearer TOKEN", error, StringComparison.Ordinal);
        Assert.Equal("Bearer realm=\"edge\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task WrongToken_Answers403()
    {
        var port = Start(WithToken());

        using var response = await Get(port, "/guarded/control", bearer: "0123456789abcdef-not-the-token");

        Assert.Equal("the API token does not match", await Answers.AssertError(response, HttpStatusCode.Forbidden));
    }

    [Theory]
    [InlineData("0123456789abcdef-the-test-toke")]
    [InlineData("0123456789abcdef-the-test-token-")]
    [InlineData("")]
    public async Task TokenDifferingInLengthOrEmpty_IsRefused(string presented)
    {
        var port = Start(WithToken());

        using var request = new HttpRequestMessage(HttpMethod.Get, Url(port, "/guarded/control"));
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + presented);
        using var response = await client.SendAsync(request);

        Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{response.StatusCode}");
    }

    [Fact]
    public async Task RightToken_IsServed()
    {
        var port = Start(WithToken());

        using var control = await Get(port, "/guarded/control", bearer: Token);
        using var view = await Get(port, "/guarded/view", bearer: Token);

        Assert.Equal(HttpStatusCode.OK, control.StatusCode);
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
    }

    [Fact]
    public async Task AnotherScheme_Answers401()
    {
        var port = Start(WithToken());

        using var request = new HttpRequestMessage(HttpMethod.Get, Url(port, "/guarded/control"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("edge:"u8.ToArray()));
        using var response = await client.SendAsync(request);

        Assert.StartsWith("the Authorization header is not a Bearer token", await Answers.AssertError(response, HttpStatusCode.Unauthorized), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_IsOpenWithoutTheToken()
    {
        var port = Start(WithToken());

        using var response = await client.GetAsync(Url(port, "/guarded/page"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PageWithTokenInQuery_SetsAStrictHttpOnlyCookieNotHoldingTheToken_AndRedirectsWithoutIt()
    {
        var port = Start(WithToken());

        using var response = await client.GetAsync(Url(port, $"/guarded/page?stream=cam0&token={Token}"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/guarded/page?stream=cam0", response.Headers.Location?.ToString());
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"{AccessGate.ViewCookie}=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase); // plain HTTP: a Secure cookie would never come back
        Assert.DoesNotContain(Token, cookie, StringComparison.Ordinal);

        var value = cookie[..cookie.IndexOf(';', StringComparison.Ordinal)];
        using var view = await Get(port, "/guarded/view", cookie: value);
        using var control = await Get(port, "/guarded/control", cookie: value);
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        Assert.Equal(HttpStatusCode.OK, control.StatusCode);
    }

    [Fact]
    public async Task PageWithWrongTokenInQuery_Answers403AndSetsNoCookie()
    {
        var port = Start(WithToken());

        using var response = await client.GetAsync(Url(port, "/guarded/page?token=0123456789abcdef-not-the-token"));

        await Answers.AssertError(response, HttpStatusCode.Forbidden);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task ViewWithAccessTokenInQuery_IsServed_AWrongOneRefused_AndNoCookieSet()
    {
        var port = Start(WithToken());

        using var served = await client.GetAsync(Url(port, $"/guarded/view?access_token={Token}"));
        using var refused = await client.GetAsync(Url(port, "/guarded/view?access_token=0123456789abcdef-not-the-token"));

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.False(served.Headers.Contains("Set-Cookie"));
        await Answers.AssertError(refused, HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("/guarded/view?token=")]
    [InlineData("/guarded/control?access_token=")]
    [InlineData("/guarded/control?token=")]
    public async Task TokenInTheWrongQueryParameter_IsNotAccepted(string path)
    {
        var port = Start(WithToken());

        using var response = await client.GetAsync(Url(port, path + Token));

        await Answers.AssertError(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task WrongCookie_Answers403()
    {
        var port = Start(WithToken());

        using var response = await Get(port, "/guarded/view", cookie: $"{AccessGate.ViewCookie}=0000");

        Assert.StartsWith($"the {AccessGate.ViewCookie} cookie does not match", await Answers.AssertError(response, HttpStatusCode.Forbidden), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ViewPublic_ViewNeedsNoToken_ControlStillDoes()
    {
        var port = Start(WithToken() with { ViewPublic = true });

        using var view = await client.GetAsync(Url(port, "/guarded/view"));
        using var control = await client.GetAsync(Url(port, "/guarded/control"));

        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        await Answers.AssertError(control, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public void BeyondLoopback_WithoutToken_RefusesToStart()
    {
        using var server = new EdgeServer(new GuardedRoutes()) { Setting = "http" };

        var error = Assert.Throws<ServerConfigurationException>(() => server.Start("0.0.0.0:0"));

        Assert.Equal("http endpoint 0.0.0.0:0 is reachable beyond this machine but no API token is set: expected EDGE_API_TOKEN or http_token_file (docs/http.md), or a loopback host such as 127.0.0.1", error.Message);
        Assert.Null(server.LocalEndpoint);
    }

    [Fact]
    public void BeyondLoopback_OnlyOpenRoutes_StartsWithoutToken()
    {
        using var server = new EdgeServer(new OpenRoutes()) { Setting = "http", Security = new ServerSecurity { ViewPublic = true } };

        server.Start("0.0.0.0:0");

        Assert.NotNull(server.LocalEndpoint);
    }

    [Fact]
    public void BeyondLoopback_ViewPublicButControlToo_StillRefusesWithoutToken()
    {
        using var server = new EdgeServer(new GuardedRoutes()) { Setting = "http", Security = new ServerSecurity { ViewPublic = true } };

        Assert.Throws<ServerConfigurationException>(() => server.Start("0.0.0.0:0"));
    }

    [Fact]
    public async Task BeyondLoopback_WithToken_ServesAndWarnsThatPlainHttpCarriesTheToken()
    {
        using var logs = new LogCapture();
        var server = new EdgeServer(new GuardedRoutes()) { Setting = "http", Security = WithToken(), Loggers = logs.Factory };
        servers.Add(server);

        server.Start("0.0.0.0:0");
        using var refused = await client.GetAsync(Url(server.LocalEndpoint!.Port, "/guarded/control"));
        using var served = await Get(server.LocalEndpoint.Port, "/guarded/control", bearer: Token);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains(logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("over plain HTTP", StringComparison.Ordinal));
    }

    private static ServerSecurity WithToken() => new() { Token = ApiToken.Parse(Token, "the test") };

    private int Start(ServerSecurity security)
    {
        var server = new EdgeServer(new GuardedRoutes()) { Setting = "http", Security = security };
        servers.Add(server);
        server.Start("127.0.0.1:0");
        return server.LocalEndpoint!.Port;
    }

    private async Task<HttpResponseMessage> Get(int port, string path, string? bearer = null, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(port, path));
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return await client.SendAsync(request);
    }

    private static Uri Url(int port, string path) => new($"http://127.0.0.1:{port}{path}");
}
