using System.CommandLine;
using System.Text.Json;
using Edge.Cli.Commands;
using Edge.Server.Hosting.Security;

namespace Edge.Cli.Configuration;

/// <summary>
/// The API token is a secret: a flag shows in <c>ps</c> and shell history, a config file in backups and version
/// control. So the places someone might try to put it are refused with a one-line error saying where it goes instead
/// (<see cref="ApiToken.Variable"/> or <c>http_token_file</c>), rather than an unknown-key or unknown-flag error.
/// </summary>
internal static class RefusedSecrets
{
    private static readonly string[] Names = ["api_token", "http_token", "token"];

    private static readonly string Instead = $"expected the token in {ApiToken.Variable} or in a file named by http_token_file (docs/http.md)";

    /// <summary>Hidden flags (<c>--api-token</c>, ...) that exist only to be refused.</summary>
    public static IReadOnlyList<Option<string?>> CreateFlags() =>
        [.. Names.Select(name => new Option<string?>("--" + name.Replace('_', '-')) { Hidden = true })];

    /// <exception cref="UserError">One of <paramref name="flags"/> was given.</exception>
    public static void CheckFlags(ParseResult parse, IReadOnlyList<Option<string?>> flags)
    {
        foreach (var flag in flags)
        {
            if (parse.GetResult(flag) is not null)
            {
                throw new UserError(ExitCode.InvalidArguments, $"{flag.Name} is refused: the API token is never a flag (it would show in ps and shell history); {Instead}");
            }
        }
    }

    /// <summary>Malformed JSON is left to the settings parser, which says where it breaks.</summary>
    /// <exception cref="UserError">The file's top-level object has a key meant to hold the token.</exception>
    public static void CheckConfigFile(string path, byte[] utf8, JsonReaderOptions options)
    {
        var reader = new Utf8JsonReader(utf8, options);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && Names.Contains(reader.GetString(), StringComparer.Ordinal))
                {
                    throw new UserError(ExitCode.InvalidArguments, $"config file '{path}': key '{reader.GetString()}' is refused: the API token is never kept in the config file; {Instead}");
                }
            }
        }
        catch (JsonException)
        {
        }
    }
}
