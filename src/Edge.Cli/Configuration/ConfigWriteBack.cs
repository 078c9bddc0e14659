using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Camera.Sources;
using Edge.Runtime.Budget;
using Edge.Runtime.Control;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;

namespace Edge.Cli.Configuration;

/// <summary>
/// <c>edge run --config FILE</c>: writes control changes asked to be persisted into FILE, so the next start runs as this
/// run does now. Each change edits the file's JSON (System.Text.Json.Nodes) where the change belongs: the stream's entry
/// of a <c>streams</c> list, or the top-level keys of a single-stream file. Every other key, the streams' order and the
/// keys' order stay as they were. The new text goes to a temporary file in the same folder, flushed to disk, which is
/// then renamed over FILE, so a crash leaves either the old file or the new one, never a half-written one.
/// </summary>
/// <remarks>
/// The file must still be the one the run read: edited on disk since (its bytes differ from what the run read or last
/// wrote), it is not overwritten and the change is refused. A file with comments is refused too: writing it back would
/// lose them. Refusals are <see cref="ControlException"/>s of kind <see cref="ControlErrorKind.Conflict"/>.
/// </remarks>
public sealed class ConfigWriteBack : IConfigWriteBack
{
    private readonly Lock gate = new();
    private byte[] knownHash;

    private ConfigWriteBack(string path, byte[] contents)
    {
        Path = path;
        knownHash = SHA256.HashData(contents);
    }

    public string Path { get; }

    /// <summary>Remembers the file as it is now (the run has just read its settings from it).</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ConfigWriteBack Open(string path) => new(System.IO.Path.GetFullPath(path), File.ReadAllBytes(path));

    public void SetThresholds(string stream, IReadOnlyDictionary<string, ThresholdOverride> thresholds) => Edit(root =>
    {
        var entry = StreamEntry(root, stream, "thresholds");
        var labels = entry["thresholds"] as JsonObject;
        if (labels is null)
        {
            labels = [];
            entry["thresholds"] = labels;
        }

        foreach (var (label, threshold) in thresholds)
        {
            labels[label] = Threshold(threshold);
        }
    });

    public void SetBudget(string stream, double? budgetMs, MissPolicy? policy) => Edit(root =>
    {
        var entry = StreamEntry(root, stream, change: null);
        if (budgetMs is { } budget)
        {
            entry["budget_ms"] = budget;
        }

        if (policy is { } missPolicy)
        {
            entry["miss_policy"] = missPolicy.Name();
        }
    });

    public void AddStream(StreamOptions stream) => Edit(root =>
    {
        var streams = StreamsList(root, $"add stream '{stream.Id}' to");
        if (Find(streams, stream.Id) is not null)
        {
            throw Refused($"already has a stream '{stream.Id}' in its streams list: expected an id it does not have");
        }

        var entry = new JsonObject { ["id"] = stream.Id, ["source"] = stream.Source };
        if (stream.BudgetMs is { } budget)
        {
            entry["budget_ms"] = budget;
        }

        if (stream.MissPolicy is { } policy)
        {
            entry["miss_policy"] = policy.Name();
        }

        if (stream.Thresholds is { Count: > 0 } thresholds)
        {
            entry["thresholds"] = new JsonObject(thresholds.Select(pair => KeyValuePair.Create<string, JsonNode?>(pair.Key, Threshold(pair.Value))));
        }

        if (stream.Heads is { } heads)
        {
            entry["heads"] = new JsonArray([.. heads.Select(head => JsonValue.Create(head))]);
        }

        if (!stream.Required)
        {
            entry["required"] = false;
        }

        streams.Add((JsonNode)entry);
    });

    public void RemoveStream(string stream) => Edit(root =>
    {
        var streams = StreamsList(root, $"remove stream '{stream}' from");
        var entry = Find(streams, stream) ?? throw Refused($"has no stream '{stream}' in its streams list (the run got it from a flag, the environment or the control API): expected a stream the file configures");
        if (streams.Count == 1)
        {
            throw Refused($"would be left with an empty streams list without stream '{stream}': expected at least one stream to stay");
        }

        streams.Remove(entry);
    });

    /// <summary>Reads the file, checks it is the one the run knows, applies <paramref name="edit"/> to its JSON and replaces it.</summary>
    private void Edit(Action<JsonObject> edit)
    {
        lock (gate)
        {
            byte[] contents;
            try
            {
                contents = File.ReadAllBytes(Path);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw Refused($"cannot be read ({OneLine(exception)}): expected the file the run started from", exception);
            }

            if (!SHA256.HashData(contents).AsSpan().SequenceEqual(knownHash))
            {
                throw Refused("changed on disk since the run read it: expected it as the run read it (restart the run to take the edit), so the change was not written over it");
            }

            if (HasComments(contents))
            {
                throw Refused("has comments, which writing it back would lose: expected a file without comments to write changes to");
            }

            var root = Parse(contents);
            edit(root);
            var text = Serialise(root);
            Replace(text);
            knownHash = SHA256.HashData(text);
        }
    }

    /// <summary>The settings as indented JSON text (two spaces, as the examples are written) ending in a newline.</summary>
    private static byte[] Serialise(JsonObject root)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, IndentSize = 2 }))
        {
            root.WriteTo(writer);
        }

        return [.. buffer.WrittenSpan, (byte)'\n'];
    }

    /// <summary>Writes <paramref name="text"/> to a temporary file next to the config file, flushes it to disk and renames it over the config file.</summary>
    private void Replace(byte[] text)
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        var temporary = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(text);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(Path)); // the file keeps who may read it
            }

            File.Move(temporary, Path, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw Refused($"could not be replaced ({OneLine(exception)}): expected a writable file in a writable folder", exception);
        }
    }

    /// <summary>
    /// Where the stream's settings are: its entry of the <c>streams</c> list, or, in a single-stream file, the top level
    /// (which has no per-stream <paramref name="change"/> key, when one is named).
    /// </summary>
    private JsonObject StreamEntry(JsonObject root, string stream, string? change)
    {
        if (root["streams"] is JsonArray streams)
        {
            return Find(streams, stream) ?? throw Refused($"has no stream '{stream}' in its streams list (the run got it from a flag, the environment or the control API): expected a stream the file configures");
        }

        var single = root["stream"]?.GetValueKind() == JsonValueKind.String ? root["stream"]!.GetValue<string>() : StreamId.Default;
        if (single != stream)
        {
            throw Refused($"configures stream '{single}', not '{stream}' (the run got it from a flag or the environment): expected a stream the file configures");
        }

        if (change is not null)
        {
            throw Refused($"configures its one stream with top-level keys, which have no {change}: expected a streams list to write {change} to");
        }

        return root;
    }

    private JsonArray StreamsList(JsonObject root, string what) =>
        root["streams"] as JsonArray ?? throw Refused($"configures its one stream with top-level keys: expected a streams list to {what}");

    private static JsonObject? Find(JsonArray streams, string stream) =>
        streams.OfType<JsonObject>().FirstOrDefault(entry => entry["id"]?.GetValueKind() == JsonValueKind.String && entry["id"]!.GetValue<string>() == stream);

    private static JsonObject Threshold(ThresholdOverride threshold)
    {
        var value = new JsonObject { ["threshold"] = threshold.Threshold };
        if (threshold.OffThreshold is { } off)
        {
            value["off_threshold"] = off;
        }

        return value;
    }

    private JsonObject Parse(byte[] contents)
    {
        try
        {
            return JsonNode.Parse(contents, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) as JsonObject
                ?? throw Refused("does not hold a JSON object: expected the settings object the run started from");
        }
        catch (JsonException exception)
        {
            throw Refused($"is not valid JSON ({OneLine(exception)}): expected the settings the run started from", exception);
        }
    }

    private static bool HasComments(byte[] contents)
    {
        var reader = new Utf8JsonReader(contents, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Allow, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.Comment)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            return false; // Parse says what is wrong
        }

        return false;
    }

    private ControlException Refused(string problem, Exception? inner = null) =>
        new(ControlErrorKind.Conflict, $"config file '{UserPath.Printable(Path)}' {problem}", inner);

    private static string OneLine(Exception exception) => exception.Message.ReplaceLineEndings(" ");
}
