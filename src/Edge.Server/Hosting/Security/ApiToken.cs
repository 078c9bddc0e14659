using System.Security.Cryptography;
using System.Text;

namespace Edge.Server.Hosting.Security;

/// <summary>
/// The secret a client shows to use the control API (and the live view, unless it is public). Only its SHA-256 is
/// kept: a presented token is hashed and the two hashes compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither the bytes nor the length of a guess shows in the
/// time an answer takes. The token is never logged, echoed or written anywhere; <see cref="ToString"/> says so.
/// </summary>
public sealed class ApiToken
{
    /// <summary>Where the token comes from; never a flag or the config file (both end up in shell history, ps, backups).</summary>
    public const string Variable = "EDGE_API_TOKEN";

    /// <summary>Shorter secrets can be guessed through an API that answers many requests a second.</summary>
    public const int MinimumLength = 16;

    private const string Example = "e.g. the output of openssl rand -hex 32";
    private static readonly byte[] ViewCookieContext = "edge view cookie v1"u8.ToArray();

    private readonly byte[] hash;
    private readonly byte[] viewCookieHash;

    private ApiToken(string token)
    {
        var bytes = Encoding.UTF8.GetBytes(token);
        hash = SHA256.HashData(bytes);
        ViewCookieValue = Convert.ToHexStringLower(HMACSHA256.HashData(bytes, ViewCookieContext));
        viewCookieHash = SHA256.HashData(Encoding.ASCII.GetBytes(ViewCookieValue));
        CryptographicOperations.ZeroMemory(bytes);
    }

    /// <summary>
    /// What the view's cookie holds: derived from the token (HMAC-SHA256 over a fixed context), so the token itself
    /// never travels in a <c>Set-Cookie</c> header, and a leaked cookie does not reveal it.
    /// </summary>
    internal string ViewCookieValue { get; }

    /// <summary>Checks a token as sent in a request: <paramref name="presented"/> is hashed and compared in constant time.</summary>
    public bool Matches(string presented) => HashMatches(presented, hash);

    /// <summary>Checks a view cookie's value against <see cref="ViewCookieValue"/>, the same way.</summary>
    internal bool MatchesViewCookie(string presented) => HashMatches(presented, viewCookieHash);

    /// <summary>
    /// The token from <see cref="Variable"/>, else from <paramref name="file"/> (the <c>http_token_file</c> setting;
    /// one trailing line break is dropped), else null.
    /// </summary>
    /// <exception cref="ServerConfigurationException">The file cannot be read, or the token is too short or holds characters a header cannot carry.</exception>
    public static ApiToken? Read(Func<string, string?> environment, string? file)
    {
        if (environment(Variable) is { Length: > 0 } fromEnvironment)
        {
            return Parse(fromEnvironment, Variable);
        }

        if (file is null)
        {
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ServerConfigurationException($"http_token_file '{file}' cannot be read ({e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}): expected a file holding the API token, readable by this user", e);
        }

        return Parse(text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text, $"http_token_file '{file}'");
    }

    /// <summary>Validates a token; <paramref name="source"/> names where it came from in errors, which never quote it.</summary>
    public static ApiToken Parse(string token, string source)
    {
        if (token.Length < MinimumLength)
        {
            throw new ServerConfigurationException($"the API token from {source} is {token.Length} characters, expected at least {MinimumLength} ({Example})");
        }

        // A Bearer header carries visible ASCII; anything else could not be sent back, so the API could never be used.
        var bad = token.AsSpan().IndexOfAnyExceptInRange('!', '~');
        if (bad >= 0)
        {
            throw new ServerConfigurationException($"the API token from {source} holds a space, control or non-ASCII character at position {bad + 1}, expected visible ASCII only ({Example})");
        }

        return new ApiToken(token);
    }

    public override string ToString() => "ApiToken(redacted)";

    private static bool HashMatches(string presented, byte[] expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expected);
}
