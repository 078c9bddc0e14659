using Edge.Cli.Commands;
using Edge.Cli.Configuration;
using Edge.Runtime.Options;

namespace Edge.Cli.Tests.Configuration;

/// <summary>The <c>http</c> settings: declared once, read from the file, the environment and flags; the token never from either of the first and last.</summary>
public sealed class HttpSettingsTests
{
    [Fact]
    public void Resolve_HttpFromFileWithItsCompanions_GivesHttpSettings()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", """
            { "http": "0.0.0.0:8080", "http_token_file": "/etc/edge/token", "http_view_public": true,
              "http_certificate": "/etc/edge/cert.pem", "http_certificate_key_file": "/etc/edge/key.pem", "http_certificate_password_file": "/etc/edge/pass" }
            """u8.ToArray());

        var http = RunSettings.FromFile(path).Resolve().Http;

        Assert.Equal(new HttpSettings("0.0.0.0:8080", "/etc/edge/token", true, "/etc/edge/cert.pem", "/etc/edge/key.pem", "/etc/edge/pass"), http);
    }

    [Fact]
    public void Resolve_HttpNotSet_IsNull_AndTheViewIsNotPublicByDefault()
    {
        Assert.Null(new RunSettings().Resolve().Http);
        Assert.False(new RunSettings { Http = "127.0.0.1:8080" }.Resolve().Http!.ViewPublic);
    }

    [Fact]
    public void Environment_EdgeHttpAndTokenFile_AreSettings()
    {
        var settings = RunSettings.FromEnvironment(name => name switch
        {
            "EDGE_HTTP" => "127.0.0.1:8080",
            "EDGE_HTTP_TOKEN_FILE" => "/run/secrets/edge-token",
            _ => null,
        });

        Assert.Equal("127.0.0.1:8080", settings.Http);
        Assert.Equal("/run/secrets/edge-token", settings.HttpTokenFile);
        Assert.Contains("EDGE_API_TOKEN", RunSettings.EnvironmentVariables);
    }

    [Fact]
    public void Resolve_EmptyHttp_RefusedNamingTheSetting()
    {
        var error = Assert.Throws<SettingException>(new RunSettings { Http = " " }.Resolve);

        Assert.Equal("http", error.Key);
    }

    [Theory]
    [InlineData("api_token")]
    [InlineData("http_token")]
    [InlineData("token")]
    public void FromFile_TokenKey_RefusedWithOneLineSayingWhereItGoes(string key)
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", System.Text.Encoding.UTF8.GetBytes($$"""{ "http": "0.0.0.0:8080", "{{key}}": "s3cret-s3cret-s3cret" }"""));

        var error = Assert.Throws<UserError>(() => RunSettings.FromFile(path));

        Assert.Equal(ExitCode.InvalidArguments, error.ExitCode);
        Assert.Equal($"config file '{path}': key '{key}' is refused: the API token is never kept in the config file; expected the token in EDGE_API_TOKEN or in a file named by http_token_file (docs/http.md)", error.Message);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_TokenKeyNestedInASection_IsNotTheApiToken()
    {
        using var folder = TestBundle.CreateEmpty();
        var path = folder.WriteFile("edge.json", """{ "streams": [ { "id": "token", "source": "synthetic" } ] }"""u8.ToArray());

        Assert.Equal("token", RunSettings.FromFile(path).Resolve().Streams[0].Id);
    }
}
