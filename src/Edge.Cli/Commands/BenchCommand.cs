using System.CommandLine;
using System.Globalization;
using Edge.Cli.Configuration;
using Edge.Tools.Benchmarking;
using Edge.Tools.Benchmarking.Streams;

namespace Edge.Cli.Commands;

/// <summary><c>edge bench</c>: latency and throughput of the whole frame path against bare inference, in one run.</summary>
internal static class BenchCommand
{
    public static Command Create(Option<bool> verbose)
    {
        var compare = new Option<string?>("--compare") { Description = "Compare configurations in one interleaved run: MODEL[@EP],MODEL[@EP],... (empty MODEL: the default); ratios are to the first" };
        var source = new Option<string?>("--source") { Description = "Frames to play: synthetic[?size=N...] (default), file:PATH or images:DIR; read before measuring" };
        var rate = new Option<string>("--rate") { Description = "Frames per second offered, or max: the next frame as soon as the last is done (default max)", DefaultValueFactory = _ => "max" };
        var frames = new Option<long?>("--frames") { Description = "Measured frames per configuration (default 1000)" };
        var duration = new Option<double?>("--duration") { Description = "Measure for this many seconds instead of a frame count" };
        var warmUp = new Option<int?>("--warmup") { Description = "Frames per configuration run before measuring (default 50)" };
        var block = new Option<int?>("--block") { Description = "Frames per block; configurations and bare inference take turns every block (default 25)" };
        var stageBudget = new Option<string[]>("--stage-budget") { Description = "Per-stage budget STAGE=MS; repeatable" };
        var injectDelay = new Option<string?>("--inject-delay") { Description = "Testing budgets: add STAGE=MS to every frame" };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON (edge.bench/1) to this file" };
        var report = new Option<string?>("--report") { Description = "Write PNG plots (latency CDF, histograms, timeline) and summary.md into this folder" };
        var config = new Option<string?>("--config") { Description = "JSON settings file (as for edge run: budget, miss policy, stage budgets, degrade ladder)" };
        var fashionMnist = new Option<string?>("--fashion-mnist") { Description = "Fashion-MNIST folder for synthetic sources (default: the shipped test split)" };
        var streams = new Option<string?>("--streams") { Description = "Streams sharing the model's session, batched by the deadline-aware scheduler: N, or N,N,... to compare stream counts (e.g. 1,2,4,8); 1 alone is the single-stream bench" };
        var rates = new Option<string?>("--rates") { Description = "With --streams: frames per second per stream, comma-separated (e.g. 30,30,15,15; max for as fast as taken); stream i plays at item i modulo the list" };
        var maxBatch = new Option<int?>("--max-batch") { Description = "With --streams: the most frames one batch may take (default: the bundle's maximum; 1 turns batching off)" };
        var viewers = new Option<string?>("--viewers") { Description = "Live view load: viewer counts to compare, comma-separated (e.g. 0,10; one viewer of each count never reads); windows of --block frames (default 100) take turns, --frames per count" };

        var shared = SettingFlags.For("model", "budget_ms", "miss_policy", "ep", "threads", "cpu_spin");
        var command = new Command("bench", "Benchmark the frame path: per-stage and end-to-end latency, bare inference in the same run, throughput, misses, allocations, GC, CPU, memory, power")
        {
            compare, source, rate, frames, duration, warmUp, block, stageBudget, injectDelay, json, report, config, fashionMnist, streams, rates, maxBatch, viewers,
        };
        foreach (var option in shared.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CommandRunner.Run(parse.GetValue(verbose), () =>
        {
            var fromFile = parse.GetValue(config) is { } path ? RunSettings.FromFile(path) : new RunSettings();
            var fromFlags = shared.Read(parse);
            fromFlags.StageBudgetsMs = StageBudgetFlags.Parse(parse.GetValue(stageBudget));
            fromFlags.Source = parse.GetValue(source) ?? "synthetic";
            var settings = fromFile.OverriddenBy(fromFlags).Resolve();
            var options = new BenchOptions
            {
                Variants = Variants(parse.GetValue(compare), settings),
                Source = settings.Source,
                FashionMnistFolder = parse.GetValue(fashionMnist),
                Rate = ParseRate(parse.GetValue(rate)!),
                Frames = Range(parse.GetValue(frames) ?? 1000, 1, 10_000_000, "--frames"),
                DurationSeconds = parse.GetValue(duration) is { } seconds ? RangeDouble(seconds, 0.1, 86_400, "--duration") : null,
                WarmUpFrames = (int)Range(parse.GetValue(warmUp) ?? 50, 0, 100_000, "--warmup"),
                BlockFrames = (int)Range(parse.GetValue(block) ?? 25, 1, 100_000, "--block"),
                BudgetMs = settings.BudgetMs,
                MissPolicy = settings.MissPolicy,
                StageBudgets = settings.StageBudgets,
                Degrade = settings.Degrade,
                Threads = settings.Threads,
                CpuSpin = settings.CpuSpin,
                Delay = StageBudgetFlags.ParseDelay(parse.GetValue(injectDelay)),
            };
            if (parse.GetValue(viewers) is { } viewerCounts)
            {
                return ViewerBenchCommand.Execute(ViewerBenchCommand.OptionsOf(options, viewerCounts, parse.GetValue(block) is not null, parse.GetValue(compare), parse.GetValue(streams), parse.GetValue(json), parse.GetValue(report)));
            }

            if (StreamOptionsOf(options, parse.GetValue(streams), parse.GetValue(rates), parse.GetValue(maxBatch), parse.GetValue(compare)) is { } multi)
            {
                return StreamBenchCommand.Execute(multi, parse.GetValue(json), parse.GetValue(report));
            }

            return Execute(options, parse.GetValue(json), parse.GetValue(report));
        }));
        return command;
    }

    /// <summary>The multi-stream bench's options, or null for the single-stream bench (no --streams, or --streams 1).</summary>
    private static StreamBenchOptions? StreamOptionsOf(BenchOptions options, string? streams, string? rates, int? maxBatch, string? compare)
    {
        if (streams is null)
        {
            var stray = rates is not null ? "--rates" : maxBatch is not null ? "--max-batch" : null;
            return stray is null ? null : throw new UserError(ExitCode.InvalidArguments, $"{stray} applies to several streams: expected it with --streams N");
        }

        var limits = new StreamBenchOptions { Bench = options, StreamCounts = [] };
        IReadOnlyList<int> counts;
        IReadOnlyList<double> perStream;
        try
        {
            counts = StreamBenchOptions.ParseCounts(streams, limits.MaxStreams);
            perStream = rates is null ? [] : StreamBenchOptions.ParseRates(rates);
        }
        catch (FormatException e)
        {
            throw new UserError(ExitCode.InvalidArguments, e.Message);
        }

        if (counts is [1] && rates is null && maxBatch is null)
        {
            return null;
        }

        if (compare is not null)
        {
            throw new UserError(ExitCode.InvalidArguments, "--compare compares models and --streams compares stream counts: expected one of them");
        }

        return limits with
        {
            StreamCounts = counts,
            Rates = perStream,
            MaxBatch = (int)Range(maxBatch ?? 0, 0, 1024, "--max-batch"),
        };
    }

    private static ExitCode Execute(BenchOptions options, string? jsonPath, string? reportDirectory)
    {
        if (jsonPath is not null)
        {
            RequireFolderOf(jsonPath, "--json");
        }

        if (reportDirectory is not null)
        {
            Directory.CreateDirectory(reportDirectory);
        }

        BenchResult result;
        using var cancel = new ConsoleCancellation();
        using (var runner = new BenchRunner(options, TimeProvider.System))
        {
            using var progress = new ProgressBar("bench", options.DurationSeconds is { } s ? (int)(s * 1000) : (int)Math.Min(int.MaxValue, options.Frames * options.Variants.Count));
            result = runner.Run(new Progress<(long Done, long Total)>(p => progress.Report((int)Math.Min(int.MaxValue, p.Done))), cancel.Token);
            progress.Finish();
        }

        BenchTable.Print(Console.Out, result);
        if (jsonPath is not null)
        {
            using var file = File.Create(jsonPath);
            BenchJson.Write(file, result, TimeProvider.System.GetUtcNow());
            Console.Error.WriteLine($"results written to {jsonPath}");
        }

        if (reportDirectory is not null)
        {
            var written = Edge.Tools.Benchmarking.Report.BenchReport.Write(reportDirectory, result);
            Console.Error.WriteLine($"report written to {reportDirectory} ({written.Count} files)");
        }

        return cancel.IsCancellationRequested ? ExitCode.Interrupted : ExitCode.Success;
    }

    private static IReadOnlyList<BenchVariant> Variants(string? compare, ResolvedRunSettings settings)
    {
        if (compare is null)
        {
            return [new BenchVariant(Path.GetFileName(Path.TrimEndingDirectorySeparator(settings.Model)), settings.Model, settings.Ep)];
        }

        try
        {
            return BenchVariant.ParseList(compare, settings.Model, settings.Ep);
        }
        catch (FormatException e)
        {
            throw new UserError(ExitCode.InvalidArguments, e.Message);
        }
    }

    private static double ParseRate(string text)
    {
        if (text.Equals("max", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var fps) && fps >= 0.1 && fps <= 10_000)
        {
            return fps;
        }

        throw new UserError(ExitCode.InvalidArguments, $"--rate '{text}' is invalid: expected max or frames per second from 0.1 to 10000");
    }

    private static long Range(long value, long min, long max, string flag) =>
        value >= min && value <= max ? value : throw new UserError(ExitCode.InvalidArguments, $"{flag} is {value}: expected {min} to {max}");

    private static double RangeDouble(double value, double min, double max, string flag) =>
        value >= min && value <= max ? value : throw new UserError(ExitCode.InvalidArguments, $"{flag} is {value.ToString(CultureInfo.InvariantCulture)}: expected {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");

    internal static void RequireFolderOf(string path, string flag)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new UserError(ExitCode.InvalidArguments, $"{flag} folder '{folder}' does not exist: expected a file in an existing folder");
        }
    }
}
