using OpenCvSharp;

namespace Edge.Tools.Tests.Evaluation.Datasets;

/// <summary>
/// A dataset folder under the system temp folder, deleted on dispose, for cases the committed fixtures under
/// Fixtures/datasets cannot hold (broken files, absolute paths). Images are real 4x4 PNGs written by OpenCV.
/// </summary>
internal sealed class TemporaryDataset : IDisposable
{
    public TemporaryDataset()
    {
        Root = Path.Combine(Path.GetTempPath(), "edge-dataset-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>The full path of a committed fixture under Fixtures/datasets (copied next to the tests).</summary>
    public static string Fixture(string relativePath) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "datasets", relativePath);

    public string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    public string WriteText(string relativePath, string content)
    {
        var path = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string WriteImage(string relativePath)
    {
        var path = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Mat(4, 4, MatType.CV_8UC3, new Scalar(40, 120, 200));
        if (!Cv2.ImWrite(path, image))
        {
            throw new InvalidOperationException($"OpenCV could not write {path}");
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
