using System.Diagnostics;

namespace Edge.Testing;

/// <summary>Runs the real <c>edge</c> app (built next to the tests) as a child process, as a user would.</summary>
internal static class EdgeProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string[] OutputLines => StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public string[] ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Result Run(TimeSpan timeout, params string[] arguments) => Run(timeout, new Dictionary<string, string>(), arguments);

    /// <summary>Runs with extra environment variables (secrets, for instance).</summary>
    public static Result Run(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edge.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in Edge.Cli.Configuration.RunSettings.EnvironmentVariables)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start edge");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"edge {string.Join(' ', arguments)} did not finish within {timeout}");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Bad input: the exit code, exactly one <c>edge: error:</c> line mentioning the problem, no stack trace.</summary>
    public static void AssertOneLineError(Result result, Edge.Cli.Commands.ExitCode expected, string mentions)
    {
        Assert.Equal((int)expected, result.ExitCode);
        var errors = result.ErrorLines.Where(line => line.StartsWith("edge: error:", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.Contains(mentions, errors[0], StringComparison.Ordinal);
        Assert.DoesNotContain(" at Edge.", result.StandardError, StringComparison.Ordinal);
    }
}
