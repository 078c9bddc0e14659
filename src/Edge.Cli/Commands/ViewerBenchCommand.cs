using Edge.Tools.Benchmarking;
using Edge.Tools.Benchmarking.Viewers;

namespace Edge.Cli.Commands;

/// <summary><c>edge bench --viewers</c>: the pipeline's published rate with the live view watched by N viewers (one stalled) against fewer, in one run.</summary>
internal static class ViewerBenchCommand
{
    /// <summary>The options for <c>--viewers</c>, refusing the flags that belong to other benches.</summary>
    public static ViewerBenchOptions OptionsOf(BenchOptions bench, string viewers, bool windowGiven, string? compare, string? streams, string? json, string? report)
    {
        var stray = compare is not null ? "--compare" : streams is not null ? "--streams" : json is not null ? "--json" : report is not null ? "--report" : null;
        if (stray is not null)
        {
            throw new UserError(ExitCode.InvalidArguments, $"{stray} does not apply to --viewers: expected --viewers with one model and one stream");
        }

        try
        {
            return new ViewerBenchOptions
            {
                Bench = windowGiven ? bench : bench with { BlockFrames = ViewerBenchOptions.DefaultWindowFrames },
                ViewerCounts = ViewerBenchOptions.ParseCounts(viewers),
            };
        }
        catch (FormatException e)
        {
            throw new UserError(ExitCode.InvalidArguments, e.Message);
        }
    }

    public static ExitCode Execute(ViewerBenchOptions options)
    {
        using var cancel = new ConsoleCancellation();
        ViewerBenchResult result;
        using (var bench = new ViewerBench(options))
        {
            result = bench.Run(line => Console.Error.WriteLine(line), cancel.Token);
        }

        ViewerBenchTable.Print(Console.Out, result);
        return cancel.IsCancellationRequested ? ExitCode.Interrupted : ExitCode.Success;
    }
}
