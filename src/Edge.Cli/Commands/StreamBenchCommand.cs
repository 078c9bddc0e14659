using Edge.Tools.Benchmarking.Report;
using Edge.Tools.Benchmarking.Streams;

namespace Edge.Cli.Commands;

/// <summary><c>edge bench --streams</c>: several streams through one shared session, per stream count.</summary>
internal static class StreamBenchCommand
{
    public static ExitCode Execute(StreamBenchOptions options, string? jsonPath, string? reportDirectory)
    {
        if (jsonPath is not null)
        {
            BenchCommand.RequireFolderOf(jsonPath, "--json");
        }

        if (reportDirectory is not null)
        {
            Directory.CreateDirectory(reportDirectory);
        }

        using var cancel = new ConsoleCancellation();
        var result = new StreamBench(options).Run(line => Console.Error.WriteLine(line), cancel.Token);

        StreamBenchTable.Print(Console.Out, result);
        if (jsonPath is not null)
        {
            using var file = File.Create(jsonPath);
            StreamBenchJson.Write(file, result, TimeProvider.System.GetUtcNow());
            Console.Error.WriteLine($"results written to {jsonPath}");
        }

        if (reportDirectory is not null)
        {
            var written = StreamBenchReport.Write(reportDirectory, result);
            Console.Error.WriteLine($"report written to {reportDirectory} ({written.Count} files)");
        }

        return cancel.IsCancellationRequested ? ExitCode.Interrupted : ExitCode.Success;
    }
}
