using System.CommandLine;
using System.Runtime.InteropServices;
using Edge.Camera.Capture;
using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Runtime.Budget;
using Edge.Runtime.Bundles;
using Edge.Runtime.Configuration;
using Edge.Runtime.Events;
using Edge.Runtime.HardFrames;
using Edge.Runtime.Inference;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Logging;

namespace Edge.Runtime.Cli;

/// <summary><c>edge run</c>: camera -> model -> label sets as JSON lines.</summary>
internal static class RunCommand
{
    public static Command Create(Option<bool> verbose)
    {
        var model = new Option<string?>("--model") { Description = "Model bundle folder (default: the bundled multifashion-resnet18)" };
        var source = new Option<string?>("--source") { Description = "Frame source: synthetic[?seed=N&fps=N], v4l2:0, file:PATH[?loop=true], rtsp://[user:password@]host/path, gst:PIPELINE, images:DIR[?fps=N] (default: v4l2:0 if /dev/video0 exists, else synthetic)" };
        var frames = new Option<long?>("--frames") { Description = "Stop after this many published label sets (0: run until the source ends or Ctrl+C)" };
        var budget = new Option<double?>("--budget-ms") { Description = "End-to-end latency budget from capture to publish, in ms (default 100)" };
        var ep = new Option<string?>("--ep") { Description = "Execution provider: auto (tensorrt -> cuda -> cpu), tensorrt, cuda or cpu" };
        var output = new Option<string?>("--output") { Description = "Where label-set JSON lines go: - for stdout (default) or a file (appended)" };
        var config = new Option<string?>("--config") { Description = "JSON settings file; flags and EDGE_* environment variables override it" };
        var threads = new Option<int?>("--threads") { Description = "ONNX Runtime intra-op threads (0: its default)" };
        var cpuSpin = new Option<string?>("--cpu-spin") { Description = "When ONNX Runtime's CPU worker threads busy-wait: always (its default; lowest latency, a core busy between frames), during-run or never (docs/benchmarking.md)" };
        var stream = new Option<string?>("--stream") { Description = "Stream id written into every label set and event: 1-64 characters of A-Z a-z 0-9 _ - (default cam0)" };
        var device = new Option<string?>("--device") { Description = "Device id written into every message (default: host name)" };
        var smoothing = new Option<float?>("--smoothing") { Description = "Exponential smoothing of scores across frames, 0 (off) to <1" };
        var topK = new Option<int?>("--top-k") { Description = "At most this many active labels per frame (0: no cap)" };
        var locate = new Option<bool>("--locate") { Description = "Add a coarse location (peak and box) of each active label, from the model's activation maps" };
        var hardFrames = new Option<string?>("--hard-frames") { Description = "Save frames the model was unsure about (PNG + labels.csv for annotation) into this folder" };
        var fashionMnist = new Option<string?>("--fashion-mnist") { Description = "Fashion-MNIST folder for synthetic sources (default: the shipped test split)" };
        var missPolicy = new Option<string?>("--miss-policy") { Description = "Frames that miss the budget: drop (never publish late), flag (publish marked late; default) or degrade (flag, and step down the degrade ladder while misses persist)" };
        var stageBudget = new Option<string[]>("--stage-budget") { Description = "Per-stage budget STAGE=MS (queue, preprocess, inference, decode); repeatable. Inference is cancelled at its own budget", AllowMultipleArgumentsPerToken = false };
        var events = new Option<string?>("--events") { Description = "Also write edge.event/1 JSON lines (deadline_missed, degraded, recovered) to this file, or - for stdout next to the label sets" };
        var injectDelay = new Option<string?>("--inject-delay") { Description = "Testing budgets: add STAGE=MS to every frame (preprocess, inference, decode or publish)" };
        var trtCache = new Option<string?>("--trt-engine-cache") { Description = "TensorRT engine cache folder (overrides tensorrt.engine_cache_directory; docs/execution-providers.md)" };
        var trtFp16 = new Option<bool?>("--trt-fp16") { Description = "TensorRT: run the layers left in float in FP16 (default true)" };
        var metrics = new Option<string?>("--metrics") { Description = "Serve Prometheus metrics and /healthz on HOST:PORT (loopback unless a host is given), e.g. 127.0.0.1:9108 (docs/metrics.md)" };
        var mqtt = new Option<string?>("--mqtt") { Description = "Also publish to an MQTT broker: mqtt://[user@]host[:port] or mqtts://… (password from EDGE_MQTT_PASSWORD or mqtt.password_file; docs/mqtt.md)" };

        var command = new Command("run", "Run the pipeline and print one label-set JSON line per processed frame")
        {
            model, source, frames, budget, ep, output, config, threads, cpuSpin, device, stream, smoothing, topK, locate, hardFrames, fashionMnist, missPolicy, stageBudget, events, injectDelay, mqtt, metrics, trtCache, trtFp16,
        };
        command.SetAction(parse => CommandRunner.Run(parse.GetValue(verbose), () =>
        {
            var fromFile = parse.GetValue(config) is { } path ? RunSettings.FromFile(path) : new RunSettings();
            var fromFlags = new RunSettings
            {
                Model = parse.GetValue(model),
                Source = parse.GetValue(source),
                Frames = parse.GetValue(frames),
                BudgetMs = parse.GetValue(budget),
                Ep = parse.GetValue(ep),
                Output = parse.GetValue(output),
                Threads = parse.GetValue(threads),
                CpuSpin = parse.GetValue(cpuSpin),
                Device = parse.GetValue(device),
                Stream = parse.GetValue(stream),
                Smoothing = parse.GetValue(smoothing),
                TopK = parse.GetValue(topK),
                MissPolicy = parse.GetValue(missPolicy),
                StageBudgetsMs = StageBudgetFlags.Parse(parse.GetValue(stageBudget)),
                Metrics = parse.GetValue(metrics),
                Tensorrt = TensorRtFlags.Apply(fromFile.Tensorrt, parse.GetValue(trtCache), parse.GetValue(trtFp16)),
                Mqtt = parse.GetValue(mqtt) is { } mqttUri ? new Publishing.Mqtt.MqttSettings { Uri = mqttUri } : null,
            };
            var settings = fromFile
                .OverriddenBy(RunSettings.FromEnvironment(Environment.GetEnvironmentVariable))
                .OverriddenBy(fromFlags)
                .Resolve();
            var extras = new RunExtras(parse.GetValue(fashionMnist), parse.GetValue(locate), parse.GetValue(hardFrames), parse.GetValue(events), StageBudgetFlags.ParseDelay(parse.GetValue(injectDelay)));
            return Execute(settings, extras, parse.GetValue(verbose));
        }));
        return command;
    }

    private static ExitCode Execute(ResolvedRunSettings settings, RunExtras extras, bool verbose)
    {
        using var loggers = Logging.CreateFactory(verbose);
        var log = loggers.CreateLogger("edge");
        var time = TimeProvider.System;

        using var lines = RunLines.Open(settings.Output, extras.EventsPath, time, loggers);
        var configured = ModelBundle.Load(settings.Model); // loaded and hashed once, for the outputs and the pipeline
        using var outputs = RunOutputs.Create(new RunContext(settings, configured, lines, loggers, time));
        if (settings.Ep is ExecutionProviderChoice.TensorRt or ExecutionProviderChoice.Auto && SessionFactory.AvailableProviders().Contains(ExecutionProviderNames.TensorRt))
        {
            log.LogInformation("loading the model with TensorRT: a first engine build can take minutes (edge prepare builds engines ahead of time)");
        }

        using var assembled = AssembledPipeline.Create(settings, configured, outputs.FrameOutputs, time, new PipelineExtras
        {
            Locate = extras.Locate,
            StageDelay = extras.Delay,
            Gate = outputs.Gate,
            HardFramesFor = extras.HardFramesFolder is not { } folder
                ? null
                : model => WriteTarget.Open("--hard-frames", folder, () => new HardFrameCapture(new HardFrameOptions { Directory = folder }, model.Labels, model.Sha256, time, loggers.CreateLogger("edge.hard-frames"))),
        });
        var bundle = assembled.Bundle;
        var session = assembled.Session;
        var pipeline = assembled.Pipeline;
        var hardFrames = pipeline.HardFrames;
        log.LogInformation("model {Name} ({Precision}, sha256 {Hash}) loaded in {Ms:F0} ms, first inference {First:F0} ms; {Report}",
            bundle.Name, bundle.Precision, bundle.Sha256[..12], session.CreationTime.TotalMilliseconds, assembled.FirstInferenceMs, session.Report);
        if (extras.Delay is { } delay)
        {
            log.LogWarning("test hook: every frame's {Stage} stage is delayed by {Ms} ms", delay.Stage.ToString().ToLowerInvariant(), delay.Duration.TotalMilliseconds);
        }

        using var camera = CameraPipeline.Create(settings.Stream, settings.Source, extras.FashionMnistFolder, () => new Frame(bundle.Input.Width, bundle.Input.Height), time, loggers.CreateLogger("edge.capture"), pipeline.Outputs);

        using var cancel = new CancellationTokenSource();
        using var stop = lines.StopOn(cancel.Token);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var terminated = false;
        IncompleteSourceException? incomplete = null;

        // systemd (and docker) stop with SIGTERM: finish the frame in flight, publish offline, exit 0.
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            terminated = true;
            cancel.Cancel();
        });
        try
        {
            outputs.Starting(new RunStart(assembled, camera));

            GcTuning.SettleBeforeSteadyState();
            camera.Start();
            log.LogInformation("source {Source} open ({Handoff} hand-off); budget {Budget} ms, miss policy {Policy}; publishing to {Output}", camera.Source, camera.Handoff == FrameHandoff.Lossless ? "lossless" : "latest-frame-wins", settings.BudgetMs, settings.MissPolicy.Name(), settings.Output == "-" ? "stdout" : settings.Output);
            pipeline.Run(camera.Slot, settings.Frames, stop.Token);
            outputs.PipelineStopped();
            camera.Stop();
            if (camera.Fault is { } fault)
            {
                throw fault;
            }

            incomplete = camera.Incomplete;
            outputs.Finish(Console.Error);
            var readerGone = lines.ReaderClosed;
            if (readerGone is not null)
            {
                Console.Error.WriteLine($"edge: {readerGone.Name} was closed by its reader (broken pipe) after {readerGone.Written} lines: the run stopped");
            }

            RunSummary.Print(Console.Error, pipeline, camera.Overwritten, session.Report.Active, outputs.Find<MissedDeadlineWatch>());
            RunSummary.PrintCamera(Console.Error, camera.ReadFailures, camera.Reconnects, camera.ReconnectAttempts);
            lines.PrintNotWritten(Console.Error);
            if (hardFrames is not null)
            {
                hardFrames.Dispose();
                Console.Error.WriteLine($"hard frames: {hardFrames.Saved} saved to {hardFrames.Directory}, {hardFrames.RateLimited} rate-limited, {hardFrames.Duplicates} near-duplicates, {hardFrames.QueueFull} dropped (writer busy), {hardFrames.DiskFull} over the disk bound, {hardFrames.NoSpace} not saved (no space left on the device), {hardFrames.Failed} failed");
            }

            if (readerGone is not null)
            {
                return ExitCode.OutputClosed;
            }

            if (incomplete is not null)
            {
                Console.Error.WriteLine($"edge: warning: {incomplete.Message}");
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        return terminated ? ExitCode.Success : cancel.IsCancellationRequested ? ExitCode.Interrupted : incomplete is not null ? ExitCode.SourceIncomplete : ExitCode.Success;
    }

    private sealed record RunExtras(string? FashionMnistFolder, bool Locate, string? HardFramesFolder, string? EventsPath, InjectedDelay? Delay);
}
