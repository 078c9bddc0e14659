namespace Edge.Cli.Commands;

/// <summary>Opens what a flag names for writing; a target that cannot be written is the user's to fix (exit 2).</summary>
internal static class WriteTarget
{
    /// <exception cref="UserError">The target cannot be written (permissions, a read-only filesystem).</exception>
    public static T Open<T>(string flag, string path, Func<T> open)
    {
        try
        {
            return open();
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException and not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new UserError(ExitCode.InvalidArguments, $"{flag} '{path}' cannot be written ({exception.Message}): expected a file or folder this user may write, on a writable filesystem", exception);
        }
    }
}
