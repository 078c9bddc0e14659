namespace Edge.Runtime.Evaluation.Datasets;

/// <summary>Opens dataset files so that an unreadable one is reported like any other dataset error, in one line.</summary>
internal static class DatasetFile
{
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
