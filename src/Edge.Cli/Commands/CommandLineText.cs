using System.CommandLine;
using System.CommandLine.Parsing;
using Edge.Camera.Sources;

namespace Edge.Cli.Commands;

/// <summary>
/// Checks every command-line token, after response files (<c>@args.rsp</c>) are expanded, for a NUL byte. A shell
/// cannot pass one, but a response file can; no path or value can hold one, and every path flag (--data, --model,
/// --output, --events, --hard-frames, --source, --json, --report, --out ...) would otherwise reach .NET's file APIs,
/// which fail with their own "Null character in path" and exit code 1.
/// </summary>
internal static class CommandLineText
{
    /// <summary>One line naming the option whose value holds a NUL byte, or null when none does.</summary>
    public static string? NulByte(ParseResult parsed)
    {
        string? option = null;
        foreach (var token in parsed.Tokens)
        {
            if (token.Type == TokenType.Option)
            {
                option = token.Value;
            }

            if (UserPath.HasNul(token.Value))
            {
                var what = token.Type == TokenType.Argument && option is not null ? $"the value of {option}" : "the argument";
                return $"{what} '{UserPath.Printable(token.Value)}' holds a NUL byte: expected a path or value without one (check the response file it came from)";
            }
        }

        return null;
    }
}
