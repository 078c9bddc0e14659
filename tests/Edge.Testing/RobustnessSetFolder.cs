using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Camera.Synthetic;

namespace Edge.Testing;

/// <summary>
/// A robustness set in a temporary folder, as <c>edge dataset multifashion --robustness</c> lays it out: one folder per
/// family holding MultiFashion scenes (PNGs + labels.csv, rendered by the project's own renderer from Fashion-MNIST's
/// test items at the tiny model's 32 px) and <c>robustness.json</c> listing them. Families differ by seed only: enough
/// to give each its own metrics. <see cref="Index"/> can be edited and rewritten to break the set on purpose. Deleted
/// on dispose.
/// </summary>
internal sealed class RobustnessSetFolder : IDisposable
{
    public const int Size = 32;
    public const ulong Seed = 3;

    /// <summary>clean, two shifted families of different kinds and a context family: what the summary tells apart.</summary>
    public static readonly (string Name, string Kind)[] DefaultFamilies =
        [("clean", "clean"), ("tint", "appearance"), ("scale-small", "geometry"), ("out-of-context", "context")];

    private static readonly Lazy<MultiFashionRenderer> Renderer =
        new(() => new MultiFashionRenderer(FashionMnistLocator.LoadFor(MultiFashionSplit.Test), MultiFashionSplit.Test, Size));

    private RobustnessSetFolder(string path, JsonObject index)
    {
        Path = path;
        Index = index;
    }

    public string Path { get; }

    public string IndexPath => System.IO.Path.Combine(Path, "robustness.json");

    /// <summary>The index as written (or about to be written by <see cref="WriteIndex"/>).</summary>
    public JsonObject Index { get; }

    /// <summary>Renders <paramref name="count"/> scenes for each family (seed = <see cref="Seed"/> + the family's position) and writes the index.</summary>
    public static RobustnessSetFolder Render(int count, params (string Name, string Kind)[] families)
    {
        if (families.Length == 0)
        {
            families = DefaultFamilies;
        }

        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edge-robustness-tests-" + Guid.NewGuid().ToString("N"));
        var entries = new JsonArray();
        for (var i = 0; i < families.Length; i++)
        {
            var (name, kind) = families[i];
            MultiFashionDataset.Write(Renderer.Value, Seed + (ulong)i, count, System.IO.Path.Combine(path, name));
            entries.Add(new JsonObject
            {
                ["name"] = name,
                ["folder"] = name,
                ["kind"] = kind,
                ["description"] = $"{name} scenes",
                ["parameters"] = new JsonObject { ["seed_offset"] = i },
            });
        }

        var set = new RobustnessSetFolder(path, new JsonObject
        {
            ["format"] = "edge-robustness-set/1",
            ["split"] = "test",
            ["seed"] = Seed,
            ["count"] = count,
            ["size"] = Size,
            ["families"] = entries,
        });
        set.WriteIndex();
        return set;
    }

    public JsonArray Families => Index["families"]!.AsArray();

    public string FolderOf(string family) => System.IO.Path.Combine(Path, family);

    public void WriteIndex() => File.WriteAllText(IndexPath, Index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
