using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Runtime.Bundles;

namespace Edge.Testing;

/// <summary>
/// A model bundle in a temporary folder around the tiny fixture model: <c>model.onnx</c> (a copy of
/// Fixtures/tiny-multilabel.onnx) and a valid <c>manifest.json</c> whose fields a test can override before it is
/// written. The folder is deleted on dispose.
/// </summary>
internal sealed class TestBundle : IDisposable
{
    public const string ModelFileName = "model.onnx";

    /// <summary>The ten label names of the fixture model (its output is [1, 10]).</summary>
    public static readonly string[] LabelNames =
        ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"];

    private TestBundle(string directory, JsonObject manifest)
    {
        Directory = directory;
        Manifest = manifest;
    }

    public static string TinyModelPath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny-multilabel.onnx");

    /// <summary>
    /// The tiny model with a dynamic batch axis: same graph and weights, input <c>image</c> [N, 3, 32, 32] and output
    /// <c>logits</c> [N, 10] (training/make_batch_fixture.py).
    /// </summary>
    public static string TinyBatchModelPath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny-multilabel-batch.onnx");

    /// <summary>The tiny model with its batch axis fixed at 4 (input [4, 3, 32, 32], output [4, 10]), which no manifest may accept.</summary>
    public static string TinyBatch4ModelPath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny-multilabel-batch4.onnx");

    /// <summary>Same signature as the tiny model, but a run takes a long time (~100 small convolutions): for cancellation.</summary>
    public static string SlowModelPath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "slow-multilabel.onnx");

    public string Directory { get; }

    public string ManifestPath => Path.Combine(Directory, ModelBundle.ManifestFile);

    public string ModelPath => Path.Combine(Directory, ModelFileName);

    /// <summary>The manifest as written (or about to be written by <see cref="WriteManifest"/>).</summary>
    public JsonObject Manifest { get; }

    /// <summary>Creates the folder, copies the tiny model, applies <paramref name="edit"/> to a valid manifest and writes it.</summary>
    public static TestBundle Create(Action<JsonObject>? edit = null, string? modelPath = null)
    {
        var bundle = CreateEmpty();
        File.Copy(modelPath ?? TinyModelPath, bundle.ModelPath);
        bundle.Manifest["sha256"] = ModelBundle.HashFile(bundle.ModelPath);
        edit?.Invoke(bundle.Manifest);
        bundle.WriteManifest();
        return bundle;
    }

    /// <summary>
    /// A bundle of the dynamic-batch tiny model whose manifest says <c>"batch": {"dynamic": true, "max": maxBatch}</c>;
    /// <paramref name="edit"/> applies after that (e.g. to change or remove <c>batch</c>).
    /// </summary>
    public static TestBundle CreateBatched(int maxBatch, Action<JsonObject>? edit = null) =>
        Create(
            manifest =>
            {
                manifest["batch"] = Batch(dynamic: true, maxBatch);
                edit?.Invoke(manifest);
            },
            TinyBatchModelPath);

    /// <summary>The manifest's <c>batch</c> object.</summary>
    public static JsonObject Batch(bool dynamic, int max) => new() { ["dynamic"] = dynamic, ["max"] = max };

    /// <summary>An empty temporary folder (no model, no manifest); <see cref="Manifest"/> holds the valid defaults.</summary>
    public static TestBundle CreateEmpty()
    {
        var directory = Path.Combine(Path.GetTempPath(), "edge-runtime-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return new TestBundle(directory, ValidManifestJson(new string('0', 64)));
    }

    /// <summary>A manifest that matches the tiny model: image [1,3,32,32] nchw bgr, logits [1,10], ten labels.</summary>
    public static JsonObject ValidManifestJson(string sha256) => new()
    {
        ["format"] = ModelManifest.CurrentFormat,
        ["name"] = "tiny-multilabel",
        ["version"] = "0.0.1",
        ["description"] = "test fixture",
        ["model_file"] = ModelFileName,
        ["sha256"] = sha256,
        ["precision"] = "fp32",
        ["input"] = new JsonObject
        {
            ["name"] = "image",
            ["layout"] = "nchw",
            ["width"] = 32,
            ["height"] = 32,
            ["color_order"] = "bgr",
            ["scale"] = 1.0,
            ["mean"] = new JsonArray(0.0, 0.0, 0.0),
            ["std"] = new JsonArray(1.0, 1.0, 1.0),
            ["resize"] = "stretch",
        },
        ["output"] = new JsonObject { ["name"] = "logits", ["kind"] = "logits" },
        ["labels"] = Labels(LabelNames.Length),
        ["provenance"] = new JsonObject { ["made_by"] = "training/make_test_fixture.py" },
    };

    /// <summary>The first <paramref name="count"/> fixture labels, threshold 0.5, off-threshold 0.4.</summary>
    public static JsonArray Labels(int count)
    {
        var labels = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            labels.Add(new JsonObject { ["name"] = LabelNames[i], ["threshold"] = 0.5, ["off_threshold"] = 0.4 });
        }

        return labels;
    }

    /// <summary>
    /// A <c>rescoring</c> block for the fixture's labels: every label gathers <paramref name="weight"/> of each other
    /// label's logit (zero diagonal), no bias.
    /// </summary>
    public static JsonObject RescoringBlock(double weight, int labels = 10)
    {
        var matrix = new JsonArray();
        for (var row = 0; row < labels; row++)
        {
            var values = new JsonArray();
            for (var column = 0; column < labels; column++)
            {
                values.Add((JsonNode)(row == column ? 0.0 : weight));
            }

            matrix.Add((JsonNode)values);
        }

        return new JsonObject { ["kind"] = "linear-logits", ["matrix"] = matrix };
    }

    /// <summary>A validated <see cref="ModelManifest"/> object for <see cref="ModelBundle.FromManifest"/> (no files needed).</summary>
    public static ModelManifest ValidManifest(Action<JsonObject>? edit = null)
    {
        var json = ValidManifestJson(new string('a', 64));
        edit?.Invoke(json);
        return json.Deserialize(ManifestJsonContext.Default.ModelManifest)!;
    }

    /// <summary>A bundle object built from <see cref="ValidManifest"/> without touching the disk.</summary>
    public static ModelBundle InMemory(Action<JsonObject>? edit = null) =>
        ModelBundle.FromManifest(Path.GetTempPath(), ValidManifest(edit));

    public void WriteManifest() => File.WriteAllText(ManifestPath, Manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    public void WriteManifestText(string text) => File.WriteAllText(ManifestPath, text);

    public string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Replaces the model file and points the manifest's sha256 at the new bytes.</summary>
    public void ReplaceModel(byte[] bytes)
    {
        File.WriteAllBytes(ModelPath, bytes);
        Manifest["sha256"] = ModelBundle.HashFile(ModelPath);
        WriteManifest();
    }

    public ModelBundle Load() => ModelBundle.Load(Directory);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
