using Edge.Tools.Evaluation.Datasets;

namespace Edge.Tools.Tests.Evaluation.Datasets;

internal static class DatasetAssert
{
    /// <summary>Reading fails with a one-line <see cref="DatasetException"/> whose message holds every fragment.</summary>
    public static DatasetException ReadFails(string path, string? format, string? imagesDirectory, params string[] fragments)
    {
        var exception = Assert.Throws<DatasetException>(() => DatasetReader.Read(path, format, imagesDirectory));
        Assert.DoesNotContain('\n', exception.Message);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, exception.Message, StringComparison.Ordinal);
        }

        return exception;
    }
}
