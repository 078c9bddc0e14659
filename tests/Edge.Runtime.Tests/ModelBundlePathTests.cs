using Edge.Runtime.Bundles;

namespace Edge.Runtime.Tests;

/// <summary>Every path a manifest names stays inside its bundle folder: no absolute path, no '..' out, no symlink out.</summary>
public sealed class ModelBundlePathTests : IDisposable
{
    private readonly DirectoryInfo outside = Directory.CreateTempSubdirectory("edge-outside-");

    [Fact]
    public void Load_ModelFileClimbsOutOfBundle_ThrowsNamingModelFileBeforeOpeningIt()
    {
        var target = Path.Combine(outside.FullName, "stolen.onnx");
        File.Copy(TestBundle.TinyModelPath, target);
        using var test = TestBundle.Create(m =>
        {
            m["model_file"] = Path.Combine("..", outside.Name, "stolen.onnx"); // both folders are in the temporary folder
            m["sha256"] = ModelBundle.HashFile(target);
        });

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("manifest field 'model_file'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("inside the bundle folder", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ModelFileAbsolute_ThrowsNamingModelFile()
    {
        using var test = TestBundle.Create(m =>
        {
            m["model_file"] = TestBundle.TinyModelPath;
            m["sha256"] = ModelBundle.HashFile(TestBundle.TinyModelPath);
        });

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("manifest field 'model_file'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromManifest_ModelFileWithDotDot_ThrowsWithoutFileAccess()
    {
        var manifest = TestBundle.ValidManifest(m => m["model_file"] = "../../../etc/hostname");

        var exception = Assert.Throws<ModelBundleException>(() => ModelBundle.FromManifest("/nonexistent/bundle", manifest));

        Assert.Contains("manifest field 'model_file' is '../../../etc/hostname'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ModelFileSymlinkLeadingOut_ThrowsNamingModelFile()
    {
        var target = Path.Combine(outside.FullName, "stolen.onnx");
        File.Copy(TestBundle.TinyModelPath, target);
        using var test = TestBundle.Create(m =>
        {
            m["model_file"] = "linked.onnx";
            m["sha256"] = ModelBundle.HashFile(target);
        });
        File.CreateSymbolicLink(Path.Combine(test.Directory, "linked.onnx"), target);

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("manifest field 'model_file'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("symlink", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ModelFileInSymlinkedFolderLeadingOut_ThrowsNamingModelFile()
    {
        File.Copy(TestBundle.TinyModelPath, Path.Combine(outside.FullName, "model.onnx"));
        using var test = TestBundle.Create(m => m["model_file"] = "weights/model.onnx");
        Directory.CreateSymbolicLink(Path.Combine(test.Directory, "weights"), outside.FullName);

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("manifest field 'model_file'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ModelFileInSubfolderOrSymlinkedInside_Loads()
    {
        using var test = TestBundle.Create(m => m["model_file"] = "onnx/current.onnx");
        Directory.CreateDirectory(Path.Combine(test.Directory, "onnx"));
        File.CreateSymbolicLink(Path.Combine(test.Directory, "onnx", "current.onnx"), Path.Combine("..", TestBundle.ModelFileName));

        var bundle = test.Load();

        Assert.Equal(Path.Combine(test.Directory, "onnx", "current.onnx"), bundle.ModelPath);
    }

    [Fact]
    public void Load_BundleFolderItselfASymlink_Loads()
    {
        using var test = TestBundle.Create();
        var link = Path.Combine(outside.FullName, "bundle-link");
        Directory.CreateSymbolicLink(link, test.Directory);

        var bundle = ModelBundle.Load(link);

        Assert.Equal(10, bundle.Labels.Count);
    }

    [Fact]
    public void Load_MeanImageOutsideBundle_ThrowsNamingMeanImage()
    {
        var mean = Path.Combine(outside.FullName, "mean.bin");
        File.WriteAllBytes(mean, new byte[3 * 32 * 32 * sizeof(float)]);
        using var test = TestBundle.Create(m => m["input"]!["mean_image"] = mean);

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.Contains("manifest field 'input.mean_image'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("inside the bundle folder", exception.Message, StringComparison.Ordinal);
    }

    public void Dispose() => outside.Delete(recursive: true);
}
