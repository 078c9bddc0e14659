namespace Edge.Testing;

/// <summary>The checkout the tests run from, for tests that check documents against the code.</summary>
internal static class Repository
{
    public static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Edge.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no Edge.sln above {AppContext.BaseDirectory}: expected the tests to run from the repository's build output");
    }
}
