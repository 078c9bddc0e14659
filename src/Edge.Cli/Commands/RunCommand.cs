using System.CommandLine;
using System.Runtime.InteropServices;
using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Cli.Configuration;
using Edge.Cli.Outputs;
using Edge.Runtime.Budget;
using Edge.Runtime.Bundles;
using Edge.Runtime.Control;
using Edge.Runtime.HardFrames;
using Edge.Runtime.Inference;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Logging;

namespace Edge.Cli.Commands;

/// <summary><c>edge run</c>: camera -> model -> label sets as JSON lines.</summary>
internal static class RunCommand
{
    public static Command Create(Option<bool> verbose)
    {
        var settingFlags = new SettingFlags(SettingKey.Layered.Where(key => !SourceFlags.Makes(key)));
        var sourceFlags = new SourceFlags();
        var config = new Option<string?>("--config") { Description = "JSON settings file; flags and EDGE_* environment variables override it" };
        var locate = new Option<bool>("--locate") { Description = "Add a coarse location (peak and box) of each active label, from the model's activation maps" };
        var hardFrames = new Option<string?>("--hard-frames") { Description = "Save frames the model was unsure about (PNG + labels.csv for annotation) into this folder" };
        var fashionMnist = new Option<string?>("--fashion-mnist") { Description = "Fashion-MNIST folder for synthetic sources (default: the shipped test split)" };
        var stageBudget = new Option<string[]>("--stage-budget") { Description = "Per-stage budget STAGE=MS (queue, preprocess, inference, decode); repeatable. Inference is cancelled at its own budget", AllowMultipleArgumentsPerToken = false };
        var events = new Option<string?>("--events") { Description = "Also write edge.event/1 JSON lines (deadline_missed, degraded, recovered) to this file, or - for stdout next to the label sets" };
        var injectDelay = new Option<string?>("--inject-delay") { Description = "Testing budgets: add STAGE=MS to every frame (preprocess, inference, decode or publish)" };
        var trtCache = new Option<string?>("--trt-engine-cache") { Description = "TensorRT engine cache folder (overrides tensorrt.engine_cache_directory; docs/execution-providers.md)" };
        var trtFp16 = new Option<bool?>("--trt-fp16") { Description = "TensorRT: run the layers left in float in FP16 (default true)" };
        var mqtt = new Option<string?>("--mqtt") { Description = "Also publish to an MQTT broker: mqtt://[user@]host[:port] or mqtts://… (password from EDGE_MQTT_PASSWORD or mqtt.password_file; docs/mqtt.md)" };
        var refusedSecrets = RefusedSecrets.CreateFlags();

        var command = new Command("run", "Run the pipeline and print one label-set JSON line per processed frame");
        var declared = SettingKey.Layered.Select(key => sourceFlags.OptionOf(key) ?? settingFlags.OptionOf(key)!); // in declaration order, as --help lists them
        foreach (var option in declared.Concat([config, locate, hardFrames, fashionMnist, stageBudget, events, injectDelay, mqtt, trtCache, trtFp16, .. refusedSecrets]))
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CommandRunner.Run(parse.GetValue(verbose), () =>
        {
            RefusedSecrets.CheckFlags(parse, refusedSecrets);
            var configPath = parse.GetValue(config);
            var fromFile = configPath is { } path ? RunSettings.FromFile(path) : new RunSettings();
            var writeBack = configPath is null ? null : ConfigWriteBack.Open(configPath); // the file as the run read it
            var fromFlags = settingFlags.Read(parse);
            sourceFlags.Read(parse, fromFlags);
            fromFlags.StageBudgetsMs = StageBudgetFlags.Parse(parse.GetValue(stageBudget));
            fromFlags.Tensorrt = TensorRtFlags.Apply(fromFile.Tensorrt, parse.GetValue(trtCache), parse.GetValue(trtFp16));
            fromFlags.Mqtt = parse.GetValue(mqtt) is { } mqttUri ? new Edge.Outputs.Mqtt.MqttSettings { Uri = mqttUri } : null;

            var settings = fromFile
                .OverriddenBy(RunSettings.FromEnvironment(Environment.GetEnvironmentVariable))
                .OverriddenBy(fromFlags)
                .Resolve();
            var extras = new RunExtras(parse.GetValue(fashionMnist), parse.GetValue(locate), parse.GetValue(hardFrames), parse.GetValue(events), StageBudgetFlags.ParseDelay(parse.GetValue(injectDelay)), writeBack);
            return Execute(settings, extras, parse.GetValue(verbose));
        }));
        return command;
    }

    private static ExitCode Execute(ResolvedRunSettings settings, RunExtras extras, bool verbose)
    {
        using var loggers = Logging.CreateFactory(verbose);
        var log = loggers.CreateLogger("edge");
        var time = TimeProvider.System;

        using var lines = RunLines.Open(settings.Output, extras.EventsPath, time, loggers, settings.StreamOutputs);
        var configured = ModelBundle.Load(settings.Model); // loaded and hashed once, for the outputs and the pipeline
        settings.ValidateHeadReferences(configured.Name); // before the outputs connect anywhere (assembly checks it again)
        using var outputs = RunOutputs.Create(new RunContext(settings, configured, lines, loggers, time));
        if (settings.Ep is ExecutionProviderChoice.TensorRt or ExecutionProviderChoice.Auto && SessionFactory.AvailableProviders().Contains(ExecutionProviderNames.TensorRt))
        {
            log.LogInformation("loading the model with TensorRT: a first engine build can take minutes (edge prepare builds engines ahead of time)");
        }

        var startStreams = settings.EffectiveStreams();

        // One stream's hard frames fill the folder; with several (or once a stream joins at run time), each stream has its own subfolder.
        string HardFramesFolderOf(string folder, string stream) => startStreams.Count > 1 || stream != startStreams[0].Id ? Path.Combine(folder, stream) : folder;
        using var assembled = AssembledPipeline.Create(settings, configured, outputs.FrameOutputs, time, new PipelineExtras
        {
            Locate = extras.Locate,
            StageDelay = extras.Delay,
            Gate = outputs.Gate,
            HardFramesFor = extras.HardFramesFolder is not { } folder
                ? null
                : (model, stream) => HardFramesOf(HardFramesFolderOf(folder, stream), model, time, loggers),
        });
        var bundle = assembled.Bundle;
        var session = assembled.Session;
        log.LogInformation("model {Name} ({Precision}, sha256 {Hash}) loaded in {Ms:F0} ms, first inference {First:F0} ms; {Report}",
            bundle.Name, bundle.Precision, bundle.Sha256[..12], session.CreationTime.TotalMilliseconds, assembled.FirstInferenceMs, session.Report);
        if (extras.Delay is { } delay)
        {
            log.LogWarning("test hook: every frame's {Stage} stage is delayed by {Ms} ms", delay.Stage.ToString().ToLowerInvariant(), delay.Duration.TotalMilliseconds);
        }

        using var signal = new FrameSignal();
        var cameras = new List<CameraPipeline>();
        using var closeCameras = new Disposer(cameras);
        CameraPipeline CameraOf(AssembledStream stream, FrameSignal wakes) =>
            CameraPipeline.Create(stream.Id, stream.Options.Source, extras.FashionMnistFolder, () => new Frame(bundle.Input.Width, bundle.Input.Height), time, loggers.CreateLogger("edge.capture"), stream.Lanes[0].Outputs, wakes);
        foreach (var stream in assembled.Streams)
        {
            cameras.Add(CameraOf(stream, signal));
        }

        using var scheduler = new BatchScheduler([.. assembled.Streams.Select((stream, i) => new ScheduledStream(cameras[i].Slot, stream.Lanes))], signal, time);
        scheduler.WarmUp();
        var control = new RuntimeControl(assembled, scheduler, cameras, time) { CameraFactory = CameraOf, WriteBack = extras.WriteBack };

        using var cancel = new ConsoleCancellation();
        using var stop = lines.StopOn(cancel.Token);
        var terminated = false;

        // systemd (and docker) stop with SIGTERM: finish the frame in flight, publish offline, exit 0.
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            terminated = true;
            cancel.Cancel();
        });
        outputs.Starting(new RunStart(assembled, cameras, control));

        GcTuning.SettleBeforeSteadyState();
        for (var s = 0; s < cameras.Count; s++)
        {
            var camera = cameras[s];
            camera.Start();
            var lane = assembled.Streams[s].Lanes[0];
            log.LogInformation("stream {Stream}: source {Source} open ({Handoff} hand-off); budget {Budget} ms, miss policy {Policy}", camera.Stream, camera.Source, camera.Handoff == FrameHandoff.Lossless ? "lossless" : "latest-frame-wins", lane.Budget.BudgetMs, lane.Policy.Name());
        }

        log.LogInformation("publishing to {Output}; batches of up to {Batch} frames", settings.Output == "-" ? "stdout" : settings.Output, session.MaxBatch);
        scheduler.Run(settings.Frames, stop.Token);
        outputs.PipelineStopped();

        // The streams running at the end (some may have joined or left at run time); those that joined are disposed with the rest.
        var running = control.Cameras.OfType<CameraPipeline>().ToList();
        cameras.AddRange(running.Except(cameras));
        running.ForEach(camera => camera.Stop());
        if (running.Select(camera => camera.Fault).OfType<FrameSourceException>().FirstOrDefault() is { } fault)
        {
            throw fault;
        }

        var incomplete = running.Select(camera => camera.Incomplete).OfType<IncompleteSourceException>().FirstOrDefault();
        outputs.Finish(Console.Error);
        var readerGone = lines.ReaderClosed;
        if (readerGone is not null)
        {
            Console.Error.WriteLine($"edge: {readerGone.Name} was closed by its reader (broken pipe) after {readerGone.Written} lines: the run stopped");
        }

        PrintSummary(assembled, running, scheduler, outputs.Find<MissedDeadlineWatch>());
        lines.PrintNotWritten(Console.Error);
        if (readerGone is not null)
        {
            return ExitCode.OutputClosed;
        }

        if (incomplete is not null)
        {
            Console.Error.WriteLine($"edge: warning: {incomplete.Message}");
        }

        return terminated ? ExitCode.Success : cancel.IsCancellationRequested ? ExitCode.Interrupted : incomplete is not null ? ExitCode.SourceIncomplete : ExitCode.Success;
    }

    private static HardFrameCapture? HardFramesOf(string folder, ModelBundle model, TimeProvider time, ILoggerFactory loggers) =>
        WriteTarget.Open("--hard-frames", folder, () => new HardFrameCapture(new HardFrameOptions { Directory = folder }, model.Labels, model.Sha256, time, loggers.CreateLogger("edge.hard-frames")));

    /// <summary>Per stream and head: counts and latencies (headed by the stream and head when there are several), camera trouble, hard frames.</summary>
    private static void PrintSummary(AssembledPipeline assembled, List<CameraPipeline> cameras, BatchScheduler scheduler, MissedDeadlineWatch? missed)
    {
        var several = assembled.Lanes.Skip(1).Any();
        for (var s = 0; s < assembled.Streams.Count; s++)
        {
            var camera = cameras.Single(one => one.Stream == assembled.Streams[s].Id);
            foreach (var lane in assembled.Streams[s].Lanes)
            {
                if (several)
                {
                    Console.Error.WriteLine($"== stream {lane.Stream}, head {lane.Head.Name}");
                }

                RunSummary.Print(Console.Error, lane, camera.Overwritten, lane.Head.Session.Report.Active, several ? null : missed);
            }

            RunSummary.PrintCamera(Console.Error, camera.ReadFailures, camera.Reconnects, camera.ReconnectAttempts);
            if (assembled.Streams[s].Lanes[0].HardFrames is { } hardFrames)
            {
                hardFrames.Dispose();
                Console.Error.WriteLine($"hard frames: {hardFrames.Saved} saved to {hardFrames.Directory}, {hardFrames.RateLimited} rate-limited, {hardFrames.Duplicates} near-duplicates, {hardFrames.QueueFull} dropped (writer busy), {hardFrames.DiskFull} over the disk bound, {hardFrames.NoSpace} not saved (no space left on the device), {hardFrames.Failed} failed");
            }
        }

        if (several)
        {
            RunSummary.PrintBatches(Console.Error, scheduler);
        }
    }

    /// <summary>Disposes the cameras made so far, last first.</summary>
    private sealed class Disposer(List<CameraPipeline> cameras) : IDisposable
    {
        public void Dispose()
        {
            for (var i = cameras.Count - 1; i >= 0; i--)
            {
                cameras[i].Dispose();
            }
        }
    }

    private sealed record RunExtras(string? FashionMnistFolder, bool Locate, string? HardFramesFolder, string? EventsPath, InjectedDelay? Delay, ConfigWriteBack? WriteBack);
}
