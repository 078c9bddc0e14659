using System.Text.Json;
using Edge.Camera.Sources;
using Edge.Tools.Evaluation.Datasets;

namespace Edge.Tools.Evaluation.Robustness;

/// <summary>
/// Reads a robustness set: <c>DIR/robustness.json</c> (format <see cref="RobustnessSet.Format"/>) and every family's
/// <c>labels.csv</c> dataset. Everything is checked before any model runs, so a broken set fails in one line at the
/// start instead of after an hour of evaluation. Read with <see cref="JsonDocument"/>, not reflection, so it survives
/// trimming.
/// </summary>
public static class RobustnessSetReader
{
    private const string Writer = "'edge dataset multifashion --robustness'";

    /// <param name="directory">The folder holding <c>robustness.json</c>.</param>
    /// <param name="limit">Evaluate only each family's first <paramref name="limit"/> images (file order), or all when null.</param>
    /// <exception cref="DatasetException">The folder, the index or a family's dataset is not what was expected.</exception>
    public static RobustnessSet Read(string directory, int? limit = null)
    {
        if (limit is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "expected at least 1 image per family");
        }

        var root = Root(directory);
        var indexPath = Path.Combine(root, RobustnessSet.IndexFile);
        if (!File.Exists(indexPath) && !Directory.Exists(indexPath))
        {
            throw new DatasetException($"robustness set '{root}' has no {RobustnessSet.IndexFile}: expected the index {Writer} writes beside the family folders");
        }

        using var document = Parse(indexPath);
        var index = document.RootElement;
        if (index.ValueKind != JsonValueKind.Object)
        {
            throw new DatasetException($"{indexPath}: the top level is {Describe(index)}: expected an object with \"format\": \"{RobustnessSet.Format}\"");
        }

        var format = index.TryGetProperty("format", out var formatValue) && formatValue.ValueKind == JsonValueKind.String ? formatValue.GetString() : null;
        if (format != RobustnessSet.Format)
        {
            var found = index.TryGetProperty("format", out _) ? $"'format' is {Describe(formatValue)}" : "it has no 'format'";
            throw new DatasetException($"{indexPath}: {found}: expected \"{RobustnessSet.Format}\" (a robustness set index written by {Writer})");
        }

        var split = RequiredString(indexPath, index, "split", "the index");
        var seed = RequiredSeed(indexPath, index);
        var count = RequiredInteger(indexPath, index, "count", "the index", 1, int.MaxValue);
        var size = RequiredInteger(indexPath, index, "size", "the index", 1, int.MaxValue);
        if (!index.TryGetProperty("families", out var familyArray) || familyArray.ValueKind != JsonValueKind.Array)
        {
            throw new DatasetException($"{indexPath} has no 'families' array: expected one entry per family folder, the clean family first");
        }

        if (familyArray.GetArrayLength() == 0)
        {
            throw new DatasetException($"{indexPath} lists no families: expected at least the clean family");
        }

        var families = new List<RobustnessFamily>(familyArray.GetArrayLength());
        var firstIndexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var position = 0;
        foreach (var entry in familyArray.EnumerateArray())
        {
            var where = $"families[{position}]";
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new DatasetException($"{indexPath}: {where} is {Describe(entry)}: expected an object with 'name', 'folder' and 'kind'");
            }

            var name = RequiredString(indexPath, entry, "name", where);
            if (!firstIndexOf.TryAdd(name, position))
            {
                throw new DatasetException($"{indexPath}: {where} repeats the family name '{name}' (first at families[{firstIndexOf[name]}]): expected each family once");
            }

            var kind = RequiredString(indexPath, entry, "kind", where);
            if (!FamilyKind.All.Contains(kind))
            {
                throw new DatasetException($"{indexPath}: {where} ('{name}') has kind '{kind}': expected one of {string.Join(", ", FamilyKind.All)}");
            }

            if (position == 0 && kind != FamilyKind.Clean)
            {
                throw new DatasetException($"{indexPath}: the first family is '{name}' of kind '{kind}': expected the clean family first, since every other family is compared with it");
            }

            var folder = RequiredString(indexPath, entry, "folder", where);
            var description = entry.TryGetProperty("description", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString()! : "";
            var parameters = entry.TryGetProperty("parameters", out var values) && values.ValueKind == JsonValueKind.Object ? values.GetRawText() : "{}";
            var dataset = ReadFamily(indexPath, root, where, name, folder);
            if (limit is { } most && dataset.Images.Count > most)
            {
                dataset = dataset with { Images = [.. dataset.Images.Take(most)] };
            }

            families.Add(new RobustnessFamily(name, folder, kind, description, parameters, dataset));
            position++;
        }

        return new RobustnessSet(root, split, seed, (int)count, (int)size, families);
    }

    private static string Root(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new DatasetException($"no robustness set given: expected a folder written by {Writer}");
        }

        if (UserPath.HasNul(directory))
        {
            throw new DatasetException($"robustness set '{UserPath.Printable(directory)}' holds a NUL byte: expected a folder written by {Writer}");
        }

        var root = Path.GetFullPath(directory);
        if (File.Exists(root))
        {
            throw new DatasetException($"robustness set '{root}' is a file: expected a folder written by {Writer}, holding {RobustnessSet.IndexFile}");
        }

        return Directory.Exists(root)
            ? root
            : throw new DatasetException($"robustness set '{root}' does not exist: expected a folder written by {Writer}, holding {RobustnessSet.IndexFile}");
    }

    private static LabeledDataset ReadFamily(string indexPath, string root, string where, string name, string folder)
    {
        if (UserPath.HasNul(folder) || Path.IsPathRooted(folder))
        {
            throw new DatasetException($"{indexPath}: {where} ('{name}') has folder '{UserPath.Printable(folder)}': expected a folder name relative to {root}");
        }

        var path = Path.GetFullPath(Path.Combine(root, folder));
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new DatasetException($"{indexPath}: {where} ('{name}') has folder '{folder}': expected a folder inside {root}");
        }

        if (!Directory.Exists(path))
        {
            throw new DatasetException($"robustness family '{name}': folder '{path}' does not exist: expected the family's images and {DatasetReader.CsvLabelsFile}, as {Writer} writes them");
        }

        try
        {
            return DatasetReader.Read(path, "csv");
        }
        catch (DatasetException exception)
        {
            throw new DatasetException($"robustness family '{name}': {exception.Message}", exception);
        }
    }

    private static JsonDocument Parse(string path)
    {
        using var stream = DatasetFile.Load(path, File.OpenRead);
        try
        {
            return JsonDocument.Parse(stream);
        }
        catch (JsonException exception)
        {
            // LineNumber is 0-based; editors count from 1.
            throw new DatasetException($"{path}:{exception.LineNumber + 1}: not valid JSON: {exception.Message}", exception);
        }
    }

    private static string RequiredString(string path, JsonElement element, string name, string where)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            throw new DatasetException($"{path}: {where} has no '{name}': expected a non-empty string");
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : "";
        return text.Length > 0
            ? text
            : throw new DatasetException($"{path}: {where}'s '{name}' is {Describe(value)}: expected a non-empty string");
    }

    private static long RequiredInteger(string path, JsonElement element, string name, string where, long minimum, long maximum)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            throw new DatasetException($"{path}: {where} has no '{name}': expected an integer from {minimum}");
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= minimum && number <= maximum
            ? number
            : throw new DatasetException($"{path}: {where}'s '{name}' is {Describe(value)}: expected an integer from {minimum}");
    }

    private static ulong RequiredSeed(string path, JsonElement index)
    {
        if (!index.TryGetProperty("seed", out var value))
        {
            throw new DatasetException($"{path}: the index has no 'seed': expected a non-negative integer");
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var seed)
            ? seed
            : throw new DatasetException($"{path}: the index's 'seed' is {Describe(value)}: expected a non-negative integer");
    }

    /// <summary>A short description of a JSON value for messages: scalars verbatim (cut to 40 characters), containers by kind.</summary>
    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => value.GetRawText() is { Length: > 40 } raw ? raw[..40] + "..." : value.GetRawText(),
    };
}
