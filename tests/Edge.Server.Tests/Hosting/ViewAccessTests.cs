using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using Edge.Server.Hosting;
using Edge.Server.Hosting.Security;
using Edge.Server.LiveView;

namespace Edge.Server.Tests.Hosting;

/// <summary>
/// The live view behind the API token: its page is open (it holds no data), what the page shows is not, and the ways
/// a browser brings the token all work: the Bearer header its script sends, the cookie <c>?token=</c> on the page
/// sets, <c>?access_token=</c> on its WebSocket.
/// </summary>
public sealed class ViewAccessTests : IDisposable
{
    private const string Token = "0123456789abcdef-the-view-token";

    private readonly Edge.Server.LiveView.LiveView view = new(new LiveViewOptions { Streams = [new ViewedStream("cam0", ["tiny"], [new ViewedLabel("t-shirt", 0.5, 0.4)])] });
    private readonly EdgeServer server;
    private readonly HttpClient client = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public ViewAccessTests()
    {
        server = new EdgeServer(view) { Setting = "http", Security = new ServerSecurity { Token = ApiToken.Parse(Token, "test") } };
        server.Start("127.0.0.1:0");
    }

    public void Dispose()
    {
        client.Dispose();
        server.Dispose();
        view.Dispose();
    }

    [Theory]
    [InlineData("/view/")]
    [InlineData("/view/view.js")]
    [InlineData("/")]
    public async Task Page_IsOpen(string path)
    {
        using var response = await client.GetAsync(Url(path));

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"{path}: {response.StatusCode}");
    }

    [Theory]
    [InlineData("/view/streams.json")]
    [InlineData("/view/streams/cam0/mjpeg")]
    [InlineData("/api/v1/streams/cam0/snapshot.jpg")]
    public async Task WhatThePageShows_NeedsTheToken(string path)
    {
        using var response = await client.GetAsync(Url(path));

        await Answers.AssertError(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task StreamList_WithTheBearerHeader_IsServed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/view/streams.json"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"cam0\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PageOpenedWithTheToken_SetsTheCookieThatServesTheStreamList()
    {
        using var opened = await client.GetAsync(Url($"/view/?token={Token}"));
        var cookie = Assert.Single(opened.Headers.GetValues("Set-Cookie"));
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/view/streams.json"));
        request.Headers.Add("Cookie", cookie[..cookie.IndexOf(';', StringComparison.Ordinal)]);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.SeeOther, opened.StatusCode);
        Assert.Equal("/view/", opened.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WebSocket_WithAccessTokenInItsAddress_Connects_WithoutIt_IsRefused()
    {
        using var refused = new ClientWebSocket();
        using var accepted = new ClientWebSocket();
        var address = $"ws://127.0.0.1:{server.LocalEndpoint!.Port}/view/streams/cam0/ws";

        var error = await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(new Uri(address), CancellationToken.None));
        await accepted.ConnectAsync(new Uri($"{address}?access_token={Token}"), CancellationToken.None);

        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Equal(WebSocketState.Open, accepted.State);
        await accepted.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    private Uri Url(string path) => new($"http://127.0.0.1:{server.LocalEndpoint!.Port}{path}");
}
