namespace Edge.Camera.Synthetic;

/// <summary>
/// Finds Fashion-MNIST: an explicit folder, then $EDGE_FASHION_MNIST, then the copy of the test split shipped next to
/// the app, then Debian's dataset-fashion-mnist package.
/// </summary>
public static class FashionMnistLocator
{
    public const string EnvironmentVariable = "EDGE_FASHION_MNIST";
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    public static FashionMnist LoadFor(MultiFashionSplit split, string? folder = null)
    {
        var prefix = split.UsesTrainingItems() ? "train" : "t10k";
        var candidates = Candidates(folder);
        foreach (var candidate in candidates)
        {
            if (File.Exists(Path.Combine(candidate, $"{prefix}-images-idx3-ubyte.gz")))
            {
                return FashionMnist.Load(candidate, prefix);
            }
        }

        var hint = split.UsesTrainingItems()
            ? "install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass its folder"
            : "reinstall the app (data/fashion-mnist ships with it) or pass a Fashion-MNIST folder";
        throw new FileNotFoundException(
            $"Fashion-MNIST '{prefix}' split not found in {string.Join(", ", candidates)}: {hint}");
    }

    private static List<string> Candidates(string? folder)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrWhiteSpace(folder))
        {
            candidates.Add(folder);
            return candidates;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            candidates.Add(fromEnvironment);
        }

        candidates.Add(Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist"));
        candidates.Add(DebianFolder);
        return candidates;
    }
}
