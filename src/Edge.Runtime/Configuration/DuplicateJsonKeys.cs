using System.Text;
using System.Text.Json;

namespace Edge.Runtime.Configuration;

/// <summary>
/// Finds a key given twice in one JSON object (the manifest's or the settings file's). System.Text.Json would keep the
/// last one silently, or, told not to, say only the key's name; an operator fixing the file needs where it is.
/// </summary>
public static class DuplicateJsonKeys
{
    /// <summary>"key 'k' appears twice at $.path (line n)", or null when every object's keys are unique or the text
    /// is not valid JSON (the deserializer then says what is wrong with it).</summary>
    public static string? Find(ReadOnlySpan<byte> utf8, JsonReaderOptions options)
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
                        if (!frame.Keys!.Add(frame.Key))
                        {
                            var line = utf8[..(int)reader.TokenStartIndex].Count((byte)'\n') + 1;
                            return $"key '{frame.Key}' appears twice at {PathOf(frames)} (line {line})";
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
                path.Append("['").Append(frame.Key.Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
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
