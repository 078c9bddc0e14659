using System.Text.Json;

namespace Edge.Camera.Synthetic.Perturbations;

/// <summary>One folder of a robustness set: a family of shifted scenes, or a label-context family.</summary>
public sealed record WrittenFamily(string Name, string Kind, string Description);

/// <summary>
/// Writes a robustness set: one MultiFashion dataset per evaluation family (clean first), plus two label-context
/// families (scenes that all follow the outfit co-occurrence prior, and scenes that all contradict it), and an index
/// <c>robustness.json</c> (format <c>edge-robustness-set/1</c>) that <c>edge eval --robustness</c> and the training recipe read.
/// Every family uses the same seed, so the families that keep the layout show the clean scenes, shifted.
/// </summary>
public static class RobustnessSetWriter
{
    public const string IndexFile = "robustness.json";
    public const string Format = "edge-robustness-set/1";
    public const string CooccurrenceFamily = "cooccurrence";
    public const string OutOfContextFamily = "out-of-context";

    public static IReadOnlyList<WrittenFamily> Families { get; } =
    [
        .. SceneFamilies.Evaluation.Select(family => new WrittenFamily(family.Name(), family.Kind().ToString().ToLowerInvariant(), family.Description())),
        new(CooccurrenceFamily, "context", "every scene follows the outfit co-occurrence prior (a top with trousers and shoes, a dress with a bag, ...)"),
        new(OutOfContextFamily, "context", "every scene contradicts the outfit prior (a top and shoes without trousers, a dress with trousers, ...)"),
    ];

    /// <param name="outfitShare">Share of scenes following the outfit prior in every family but the two context ones.</param>
    /// <param name="progress">Called with (family, scenes done, scenes in the family).</param>
    public static void Write(
        FashionMnist items,
        MultiFashionSplit split,
        ulong seed,
        int count,
        int canvasSize,
        double outfitShare,
        string outputDirectory,
        Action<string, int, int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(outputDirectory);
        foreach (var family in Families)
        {
            var renderer = family.Name switch
            {
                CooccurrenceFamily => new MultiFashionRenderer(items, split, canvasSize, outfitShare: 1),
                OutOfContextFamily => new MultiFashionRenderer(items, split, canvasSize, outOfContext: true),
                _ => new MultiFashionRenderer(items, split, canvasSize, outfitShare, SceneFamilies.Parse(family.Name)),
            };
            var report = progress is null ? null : new Progress(family.Name, count, progress);
            MultiFashionDataset.Write(renderer, seed, count, Path.Combine(outputDirectory, family.Name), report, cancellationToken);
        }

        WriteIndex(Path.Combine(outputDirectory, IndexFile), split, seed, count, canvasSize, outfitShare);
    }

    private static void WriteIndex(string path, MultiFashionSplit split, ulong seed, int count, int canvasSize, double outfitShare)
    {
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("generator", "edge dataset multifashion --robustness");
            json.WriteString("split", split.ToString().ToLowerInvariant());
            json.WriteNumber("seed", seed);
            json.WriteNumber("count", count);
            json.WriteNumber("size", canvasSize);
            json.WriteNumber("outfit_share", outfitShare);
            json.WriteStartArray("families");
            foreach (var family in Families)
            {
                json.WriteStartObject();
                json.WriteString("name", family.Name);
                json.WriteString("folder", family.Name);
                json.WriteString("kind", family.Kind);
                json.WriteString("description", family.Description);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        File.Move(temporary, path, overwrite: true);
    }

    private sealed class Progress(string family, int total, Action<string, int, int> report) : IProgress<int>
    {
        public void Report(int value) => report(family, value, total);
    }
}
