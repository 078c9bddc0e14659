using Edge.Camera.Sources;

namespace Edge.Tools.Evaluation.Datasets;

/// <summary>Opens dataset files so that an unreadable one is reported like any other dataset error, in one line.</summary>
internal static class DatasetFile
{
    /// <summary>The full path of an image a dataset names, relative to <paramref name="root"/>; a name holding a NUL
    /// byte is a dataset error (<paramref name="where"/> says which file and line), not .NET's "Null character in path".</summary>
    public static string ImagePath(string root, string name, string where)
    {
        if (UserPath.HasNul(name))
        {
            throw new DatasetException($"{where}: image '{UserPath.Printable(name)}' holds a NUL byte: expected a file name");
        }

        return Path.GetFullPath(Path.Combine(root, name));
    }

    public static T Load<T>(string path, Func<string, T> load)
    {
        try
        {
            return load(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"cannot read {path}: {exception.Message}", exception);
        }
    }
}
