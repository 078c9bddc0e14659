namespace Edge.Cli.Commands;

/// <summary>A failure caused by what the user gave us; printed as one line, no stack trace.</summary>
internal sealed class UserError(ExitCode exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public ExitCode ExitCode { get; } = exitCode;
}
