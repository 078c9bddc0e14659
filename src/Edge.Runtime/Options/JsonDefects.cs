using System.Text;
using System.Text.Json;

namespace Edge.Runtime.Options;

/// <summary>
/// Finds what System.Text.Json accepts in a manifest or settings file but an operator must fix, saying where it is: a
/// key given twice in one object (the deserializer would keep the last one silently, or, told not to, say only the
/// key's name), and a string holding a NUL byte (escaped as \u0000: no path can hold one, and .NET's file APIs refuse
/// it with a message that names neither the file nor the key).
/// </summary>
public static class JsonDefects
{
    /// <summary>"key 'k' appears twice at $.path (line n)", or null when every object's keys are unique or the text
    /// is not valid JSON (the deserializer then says what is wrong with it).</summary>
    public static string? DuplicateKey(ReadOnlySpan<byte> utf8, JsonReaderOptions options) => Walk(utf8, options, findNul: false);

    /// <summary>"the value at $.path (line n) holds a NUL byte", or null when no string does or the text is not valid
    /// JSON.</summary>
    public static string? NulByte(ReadOnlySpan<byte> utf8, JsonReaderOptions options) => Walk(utf8, options, findNul: true);

    private static string? Walk(ReadOnlySpan<byte> utf8, JsonReaderOptions options, bool findNul)
    {
        var reader = new Utf8JsonReader(utf8, options);
        var frames = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var frame = frames[^1];
                        frame.Key = reader.GetString()!;
                        if (findNul && frame.Key.Contains('\0', StringComparison.Ordinal))
                        {
                            return $"the key at {PathOf(frames)} (line {LineOf(utf8, reader)}) holds a NUL byte";
                        }

                        if (!findNul && !frame.Keys!.Add(frame.Key))
                        {
                            return $"key '{frame.Key}' appears twice at {PathOf(frames)} (line {LineOf(utf8, reader)})";
                        }

                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        NextElement(frames);
                        frames.Add(reader.TokenType == JsonTokenType.StartObject ? Frame.Object() : Frame.Array());
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    default:
                        NextElement(frames);
                        if (findNul && reader.TokenType == JsonTokenType.String && reader.GetString()!.Contains('\0', StringComparison.Ordinal))
                        {
                            return $"the value at {PathOf(frames)} (line {LineOf(utf8, reader)}) holds a NUL byte";
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    private static int LineOf(ReadOnlySpan<byte> utf8, Utf8JsonReader reader) => utf8[..(int)reader.TokenStartIndex].Count((byte)'\n') + 1;

    private static void NextElement(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].Keys is null)
        {
            frames[^1].Index++;
        }
    }

    private static string PathOf(List<Frame> frames)
    {
        var path = new StringBuilder("$");
        foreach (var frame in frames)
        {
            if (frame.Keys is null)
            {
                path.Append('[').Append(frame.Index).Append(']');
            }
            else if (frame.Key.Length > 0 && frame.Key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-'))
            {
                path.Append('.').Append(frame.Key);
            }
            else
            {
                path.Append("['").Append(Edge.Camera.Sources.UserPath.Printable(frame.Key).Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
            }
        }

        return path.ToString();
    }

    /// <summary>An open object (its keys so far, the current one) or array (the current element's index).</summary>
    private sealed class Frame
    {
        public HashSet<string>? Keys { get; private init; }

        public string Key { get; set; } = string.Empty;

        public int Index { get; set; } = -1;

        public static Frame Object() => new() { Keys = new HashSet<string>(StringComparer.Ordinal) };

        public static Frame Array() => new();
    }
}
