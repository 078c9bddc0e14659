using Edge.Runtime.Bundles;

namespace Edge.Benchmarks;

/// <summary>The default model bundle (models/multifashion-resnet18), whose input contract and labels the benchmarks use.</summary>
internal static class DefaultModel
{
    private const string BundleFolder = "models/multifashion-resnet18";

    /// <summary>
    /// Loads the bundle from the nearest folder above the running assembly that has it: BenchmarkDotNet runs each
    /// benchmark from a generated project's output folder, so a path relative to the working directory would not do.
    /// </summary>
    public static ModelBundle Load()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, BundleFolder);
            if (File.Exists(Path.Combine(candidate, ModelBundle.ManifestFile)))
            {
                // Only the manifest matters here; hashing the 60 MB model would slow every benchmark's start.
                return ModelBundle.Load(candidate, verifyHash: false);
            }
        }

        throw new DirectoryNotFoundException($"no {BundleFolder}/{ModelBundle.ManifestFile} in any folder above {AppContext.BaseDirectory}");
    }
}
