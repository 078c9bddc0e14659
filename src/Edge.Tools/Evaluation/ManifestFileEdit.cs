using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Runtime.Bundles;

namespace Edge.Tools.Evaluation;

/// <summary>
/// Reads a bundle's <c>manifest.json</c> as a JSON tree and puts an edited tree back: written to a temporary file that
/// must load as a valid manifest, then renamed over the original, so a failure never leaves a half-written or invalid
/// manifest. Fields the edit does not touch keep their values and order.
/// </summary>
internal static class ManifestFileEdit
{
    public static JsonObject Read(ModelBundle bundle)
    {
        var path = PathOf(bundle);
        return JsonNode.Parse(File.ReadAllText(path))?.AsObject()
            ?? throw new ModelBundleException($"{path} is empty: expected a JSON object");
    }

    public static void Replace(ModelBundle bundle, JsonObject manifest)
    {
        var path = PathOf(bundle);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        try
        {
            ModelBundle.FromManifest(bundle.Directory, JsonSerializer.Deserialize(File.ReadAllText(temporary), ManifestJsonContext.Default.ModelManifest)!);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static string PathOf(ModelBundle bundle) => Path.Combine(bundle.Directory, ModelBundle.ManifestFile);
}
