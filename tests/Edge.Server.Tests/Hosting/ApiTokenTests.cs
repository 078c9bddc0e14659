using Edge.Server.Hosting;
using Edge.Server.Hosting.Security;

namespace Edge.Server.Tests.Hosting;

public sealed class ApiTokenTests : IDisposable
{
    private const string Token = "s3cret-token-of-32-characters-ok";

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Read_FromTheVariable_MatchesOnlyThatToken()
    {
        var token = ApiToken.Read(name => name == ApiToken.Variable ? Token : null, file: null)!;

        Assert.True(token.Matches(Token));
        Assert.False(token.Matches(Token + "x"));
        Assert.False(token.Matches(Token[..^1]));
        Assert.False(token.Matches(""));
    }

    [Fact]
    public void Read_VariableAndFile_TheVariableWins()
    {
        var file = Path.Combine(folder.Path, "token");
        File.WriteAllText(file, "the-token-in-the-file-is-other\n");

        var token = ApiToken.Read(name => name == ApiToken.Variable ? Token : null, file)!;

        Assert.True(token.Matches(Token));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("")]
    public void Read_FromTheFile_DropsOneTrailingLineBreak(string ending)
    {
        var file = Path.Combine(folder.Path, "token");
        File.WriteAllText(file, Token + ending);

        var token = ApiToken.Read(_ => null, file)!;

        Assert.True(token.Matches(Token));
    }

    [Fact]
    public void Read_NeitherVariableNorFile_IsNull() => Assert.Null(ApiToken.Read(_ => null, file: null));

    [Fact]
    public void Read_MissingFile_OneLineNamingTheSetting()
    {
        var file = Path.Combine(folder.Path, "absent");

        var error = Assert.Throws<ServerConfigurationException>(() => ApiToken.Read(_ => null, file));

        Assert.StartsWith($"http_token_file '{file}' cannot be read (FileNotFoundException", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("expected a file holding the API token, readable by this user", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short", "the API token from EDGE_API_TOKEN is 5 characters, expected at least 16")]
    [InlineData("has a space in it somewhere", "the API token from EDGE_API_TOKEN holds a space, control or non-ASCII character at position 4")]
    [InlineData("tab\tseparated-token-here", "the API token from EDGE_API_TOKEN holds a space, control or non-ASCII character at position 4")]
    [InlineData("nön-ascii-token-of-some-length", "the API token from EDGE_API_TOKEN holds a space, control or non-ASCII character at position 2")]
    public void Read_UnusableToken_RefusedWithoutQuotingIt(string bad, string expected)
    {
        var error = Assert.Throws<ServerConfigurationException>(() => ApiToken.Read(name => name == ApiToken.Variable ? bad : null, file: null));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(bad, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_NeverShowsTheToken() =>
        Assert.Equal("ApiToken(redacted)", ApiToken.Parse(Token, "test").ToString());

    [Fact]
    public void ViewCookie_IsDerivedFromTheToken_NotTheTokenItself()
    {
        var token = ApiToken.Parse(Token, "test");
        var other = ApiToken.Parse(Token + "2", "test");

        Assert.DoesNotContain(Token, token.ViewCookieValue, StringComparison.Ordinal);
        Assert.Equal(64, token.ViewCookieValue.Length);
        Assert.Equal(token.ViewCookieValue, ApiToken.Parse(Token, "again").ViewCookieValue);
        Assert.NotEqual(token.ViewCookieValue, other.ViewCookieValue);
        Assert.True(token.MatchesViewCookie(token.ViewCookieValue));
        Assert.False(token.MatchesViewCookie(other.ViewCookieValue));
        Assert.False(token.MatchesViewCookie(Token));
    }
}
