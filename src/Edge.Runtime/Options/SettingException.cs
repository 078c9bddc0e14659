using System.Globalization;

namespace Edge.Runtime.Options;

/// <summary>
/// A setting the runtime cannot work with: it carries the settings key (<c>budget_ms</c>, <c>tensorrt.workspace_mb</c>),
/// the value given and what was expected, so the command line can name the flag or file key the user wrote and pick
/// the exit code. The core names settings by key only, never by flag.
/// </summary>
public sealed class SettingException : Exception
{
    /// <param name="key">The settings key, snake_case, dotted for sections.</param>
    /// <param name="value">The value as given; null when the problem is not about one value.</param>
    /// <param name="expected">What would have been accepted.</param>
    /// <param name="problem">What is wrong, when more than "is VALUE" says it (e.g. "is not available: …").</param>
    public SettingException(string key, object? value, string expected, string? problem = null, Exception? inner = null)
        : base(problem is null ? Describe($"setting '{key}'", Shown(value), expected, null) : Describe($"setting '{key}' ({Shown(value) ?? "on"})", null, expected, problem), inner)
    {
        Key = key;
        Value = Shown(value);
        Expected = expected;
        Problem = problem;
    }

    public string Key { get; }

    public string? Value { get; }

    public string Expected { get; }

    public string? Problem { get; }

    /// <summary>The same message with the setting named as the user wrote it (a flag such as <c>--ep</c>).</summary>
    public string MessageNaming(string name) => Describe(name, Value, Expected, Problem);

    private static string Describe(string name, string? value, string expected, string? problem) =>
        problem is null
            ? $"{name} is {value ?? "null"}: expected {expected}"
            : $"{name}{(value is null ? "" : " " + value)} {problem}: expected {expected}";

    private static string? Shown(object? value) => value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
}
