namespace Edge.Runtime.Pipeline;

/// <summary>
/// Names one camera stream (its source and what runs on it) in every message and event, so a consumer can tell the
/// streams of a multi-camera device apart. Short, plain and lower-case so it can also appear in MQTT topics,
/// Prometheus label values and file names unchanged (topics are case-sensitive; a Home Assistant id is lower-case).
/// Inference heads are named by the same rules.
/// </summary>
public static class StreamId
{
    public const string Default = "cam0";

    public const int MaxLength = 64;

    public const string Expected = "1 to 64 characters of a-z, 0-9, '_' and '-'";

    public static bool IsValid(string? id)
    {
        if (id is not { Length: > 0 and <= MaxLength })
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> for an id <see cref="IsValid"/> rejects (settings validate it first).</summary>
    public static string Checked(string id, string parameterName) =>
        IsValid(id) ? id : throw new ArgumentException($"stream id '{id}' is invalid: expected {Expected}", parameterName);
}
