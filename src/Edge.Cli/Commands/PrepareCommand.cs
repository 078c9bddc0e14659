using System.CommandLine;
using System.Diagnostics;
using Edge.Cli.Configuration;
using Edge.Runtime.Bundles;
using Edge.Runtime.Inference;
using Microsoft.Extensions.Logging;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge prepare</c>: builds the TensorRT engines of the models a run will use, ahead of time (at install), into the
/// keyed engine cache, so the first <c>edge run</c> starts in seconds instead of minutes. Reports how long each took.
/// </summary>
internal static class PrepareCommand
{
    public static Command Create(Option<bool> verbose)
    {
        var model = new Option<string?>("--model") { Description = "Bundle folder (default: the bundled model's build for the provider)" };
        var ep = new Option<string?>("--ep") { Description = "tensorrt (default) or cuda" };
        var config = new Option<string?>("--config") { Description = "JSON settings file (its tensorrt/cuda options and degrade ladder models are used)" };
        var trtCache = new Option<string?>("--trt-engine-cache") { Description = "TensorRT engine cache folder (overrides tensorrt.engine_cache_directory)" };
        var command = new Command("prepare", "Build TensorRT engines ahead of time into the engine cache and report how long it took") { model, ep, config, trtCache };
        command.SetAction(parse => CommandRunner.Run(parse.GetValue(verbose), () =>
        {
            var fromFile = parse.GetValue(config) is { } path ? RunSettings.FromFile(path) : new RunSettings();
            var settings = fromFile.OverriddenBy(new RunSettings { Model = parse.GetValue(model), Ep = parse.GetValue(ep) ?? "tensorrt", Tensorrt = TensorRtFlags.Apply(fromFile.Tensorrt, parse.GetValue(trtCache), null) }).Resolve();
            if (settings.Ep is not (ExecutionProviderChoice.TensorRt or ExecutionProviderChoice.Cuda))
            {
                throw new UserError(ExitCode.InvalidArguments, $"--ep {ExecutionProviderNames.ShortName(settings.Ep)} has nothing to prepare: expected tensorrt (engines are built and cached) or cuda");
            }

            using var loggers = Logging.CreateFactory(parse.GetValue(verbose));
            var log = loggers.CreateLogger("edge.prepare");
            var models = new List<string> { settings.Model };
            models.AddRange(settings.Degrade.Ladder.Select(step => step.Model).OfType<string>());
            foreach (var folder in models.Distinct(StringComparer.Ordinal))
            {
                var bundle = ModelBundle.Load(folder);
                log.LogInformation("building the {Ep} engine for {Model} ({Precision}); the first build can take minutes on a Jetson", ExecutionProviderNames.ShortName(settings.Ep), bundle.Name, bundle.Precision);
                var started = Stopwatch.GetTimestamp();
                using var session = ModelSession.Create(bundle, settings.Ep, settings.Threads, tensorRt: settings.Tensorrt, cuda: settings.Cuda);
                Edge.Runtime.Pipeline.AssembledPipeline.WarmUp(session);
                Console.Out.WriteLine($"{bundle.Name}: {session.Report.Active} ready in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
            }

            return ExitCode.Success;
        }));
        return command;
    }
}
