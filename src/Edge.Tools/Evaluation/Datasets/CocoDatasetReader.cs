using System.Text.Json;

namespace Edge.Tools.Evaluation.Datasets;

/// <summary>
/// Reads a COCO instances JSON (<c>images</c>, <c>annotations</c>, <c>categories</c>) as image-level labels: an
/// image's labels are the distinct category names of its annotations, crowd annotations included (a crowd of people
/// still means "person" is in the image); images without annotations are kept with no labels. Read with
/// <see cref="JsonDocument"/>, not reflection, so it survives trimming.
/// </summary>
internal static class CocoDatasetReader
{
    /// <summary>The folder next to the JSON that is searched when an image is not beside the JSON itself.</summary>
    public const string ImagesFolder = "images";

    public static LabeledDataset Read(string jsonPath, string? imagesDirectory)
    {
        using var document = Parse(jsonPath);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new DatasetException($"{jsonPath}: the top level is {Describe(root)}: expected a COCO instances object with 'images', 'annotations' and 'categories'");
        }

        var imageArray = RequiredArray(jsonPath, root, "images");
        var annotationArray = RequiredArray(jsonPath, root, "annotations");
        var categories = ReadCategories(jsonPath, RequiredArray(jsonPath, root, "categories"));
        var (paths, indexOfId) = ReadImages(jsonPath, imageArray, imagesDirectory);
        if (paths.Count == 0)
        {
            throw new DatasetException($"{jsonPath} has no images: expected at least one entry in 'images'");
        }

        var labels = new LabelCollector[paths.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = new LabelCollector();
        }

        var index = 0;
        foreach (var annotation in annotationArray.EnumerateArray())
        {
            var where = $"annotations[{index++}]";
            RequireObject(jsonPath, annotation, where);
            var imageId = RequiredId(jsonPath, annotation, "image_id", where);
            var categoryId = RequiredId(jsonPath, annotation, "category_id", where);
            if (!indexOfId.TryGetValue(imageId, out var image))
            {
                throw new DatasetException($"{jsonPath}: {where} has image_id {imageId}: expected the id of an entry in 'images'");
            }

            if (!categories.TryGetValue(categoryId, out var category))
            {
                throw new DatasetException($"{jsonPath}: {where} has category_id {categoryId}: expected the id of an entry in 'categories'");
            }

            labels[image].Add(category);
        }

        var images = new LabeledImage[paths.Count];
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = new LabeledImage(paths[i], labels[i].ToArray(), [], null);
        }

        return new LabeledDataset(jsonPath, "coco", images);
    }

    private static JsonDocument Parse(string jsonPath)
    {
        using var stream = DatasetFile.Load(jsonPath, File.OpenRead);
        try
        {
            return JsonDocument.Parse(stream);
        }
        catch (JsonException exception)
        {
            // LineNumber is 0-based; editors count from 1.
            throw new DatasetException($"{jsonPath}:{exception.LineNumber + 1}: not valid JSON: {exception.Message}", exception);
        }
    }

    private static Dictionary<long, string> ReadCategories(string jsonPath, JsonElement array)
    {
        var names = new Dictionary<long, string>();
        var index = 0;
        foreach (var category in array.EnumerateArray())
        {
            var where = $"categories[{index++}]";
            RequireObject(jsonPath, category, where);
            var id = RequiredId(jsonPath, category, "id", where);
            var name = RequiredString(jsonPath, category, "name", where);
            if (!names.TryAdd(id, name))
            {
                throw new DatasetException($"{jsonPath}: {where} repeats category id {id}: expected each id once");
            }
        }

        return names;
    }

    private static (List<string> Paths, Dictionary<long, int> IndexOfId) ReadImages(string jsonPath, JsonElement array, string? imagesDirectory)
    {
        var jsonDirectory = Path.GetDirectoryName(jsonPath)!;
        string[] roots = imagesDirectory is null ? [jsonDirectory, Path.Combine(jsonDirectory, ImagesFolder)] : [imagesDirectory];
        var paths = new List<string>(array.GetArrayLength());
        var indexOfId = new Dictionary<long, int>();
        var index = 0;
        foreach (var image in array.EnumerateArray())
        {
            var where = $"images[{index++}]";
            RequireObject(jsonPath, image, where);
            var id = RequiredId(jsonPath, image, "id", where);
            var fileName = RequiredString(jsonPath, image, "file_name", where);
            if (!indexOfId.TryAdd(id, paths.Count))
            {
                throw new DatasetException($"{jsonPath}: {where} repeats image id {id}: expected each id once");
            }

            paths.Add(Find(jsonPath, where, fileName, roots));
        }

        return (paths, indexOfId);
    }

    private static string Find(string jsonPath, string where, string fileName, string[] roots)
    {
        var candidates = roots.Select(root => DatasetFile.ImagePath(root, fileName, $"{jsonPath}: {where}")).ToArray();
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DatasetException(
            $"{jsonPath}: {where} image '{fileName}' does not exist: expected a file at {string.Join(" or ", candidates)} (pass --images with the folder that holds the images)");
    }

    private static JsonElement RequiredArray(string jsonPath, JsonElement root, string name) =>
        root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array
            : throw new DatasetException($"{jsonPath} has no '{name}' array: expected a COCO instances file with 'images', 'annotations' and 'categories'");

    private static void RequireObject(string jsonPath, JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new DatasetException($"{jsonPath}: {where} is {Describe(element)}: expected an object");
        }
    }

    private static long RequiredId(string jsonPath, JsonElement element, string name, string where)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            throw new DatasetException($"{jsonPath}: {where} has no '{name}': expected an integer id");
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var id)
            ? id
            : throw new DatasetException($"{jsonPath}: {where}.{name} is {Describe(value)}: expected an integer id");
    }

    private static string RequiredString(string jsonPath, JsonElement element, string name, string where)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            throw new DatasetException($"{jsonPath}: {where} has no '{name}': expected a non-empty string");
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : "";
        return text.Length > 0
            ? text
            : throw new DatasetException($"{jsonPath}: {where}.{name} is {Describe(value)}: expected a non-empty string");
    }

    /// <summary>A short description of a JSON value for messages: scalars verbatim (cut to 40 characters), containers by kind.</summary>
    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => value.GetRawText() is { Length: > 40 } raw ? raw[..40] + "..." : value.GetRawText(),
    };
}
