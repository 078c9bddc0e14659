namespace Edge.Runtime.Benchmarking.Report;

/// <summary>Placeholder replaced by the report branch; writes nothing yet.</summary>
public static class BenchReport
{
    public static IReadOnlyList<string> Write(string directory, BenchResult result) => [];
}
