using System.CommandLine;
using Edge.Camera.Capture;
using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Runtime.Budget;
using Edge.Runtime.Bundles;
using Edge.Runtime.Configuration;
using Edge.Runtime.Decoding;
using Edge.Runtime.HardFrames;
using Edge.Runtime.Inference;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Preprocessing;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging;

namespace Edge.Runtime.Cli;

/// <summary><c>edge run</c>: camera -> model -> label sets as JSON lines.</summary>
internal static class RunCommand
{
    public static Command Create(Option<bool> verbose)
    {
        var model = new Option<string?>("--model") { Description = "Model bundle folder (default: the bundled multifashion-resnet18)" };
        var source = new Option<string?>("--source") { Description = "Frame source: synthetic[?seed=N&fps=N], v4l2:0, file:PATH[?loop=true], rtsp://..., gst:PIPELINE, images:DIR[?fps=N] (default: v4l2:0 if /dev/video0 exists, else synthetic)" };
        var frames = new Option<long?>("--frames") { Description = "Stop after this many published label sets (0: run until the source ends or Ctrl+C)" };
        var budget = new Option<double?>("--budget-ms") { Description = "End-to-end latency budget from capture to publish, in ms (default 100)" };
        var ep = new Option<string?>("--ep") { Description = "Execution provider: auto (tensorrt -> cuda -> cpu), tensorrt, cuda or cpu" };
        var output = new Option<string?>("--output") { Description = "Where label-set JSON lines go: - for stdout (default) or a file (appended)" };
        var config = new Option<string?>("--config") { Description = "JSON settings file; flags and EDGE_* environment variables override it" };
        var threads = new Option<int?>("--threads") { Description = "ONNX Runtime intra-op threads (0: its default)" };
        var device = new Option<string?>("--device") { Description = "Device id written into every message (default: host name)" };
        var smoothing = new Option<float?>("--smoothing") { Description = "Exponential smoothing of scores across frames, 0 (off) to <1" };
        var topK = new Option<int?>("--top-k") { Description = "At most this many active labels per frame (0: no cap)" };
        var locate = new Option<bool>("--locate") { Description = "Add a coarse location (peak and box) of each active label, from the model's activation maps" };
        var hardFrames = new Option<string?>("--hard-frames") { Description = "Save frames the model was unsure about (PNG + labels.csv for annotation) into this folder" };
        var fashionMnist = new Option<string?>("--fashion-mnist") { Description = "Fashion-MNIST folder for synthetic sources (default: the shipped test split)" };

        var command = new Command("run", "Run the pipeline and print one label-set JSON line per processed frame")
        {
            model, source, frames, budget, ep, output, config, threads, device, smoothing, topK, locate, hardFrames, fashionMnist,
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
                Device = parse.GetValue(device),
                Smoothing = parse.GetValue(smoothing),
                TopK = parse.GetValue(topK),
            };
            var settings = fromFile
                .OverriddenBy(RunSettings.FromEnvironment(Environment.GetEnvironmentVariable))
                .OverriddenBy(fromFlags)
                .Resolve();
            return Execute(settings, parse.GetValue(fashionMnist), parse.GetValue(locate), parse.GetValue(hardFrames), parse.GetValue(verbose));
        }));
        return command;
    }

    private static ExitCode Execute(ResolvedRunSettings settings, string? fashionMnistFolder, bool locate, string? hardFramesFolder, bool verbose)
    {
        using var loggers = Logging.CreateFactory(verbose);
        var log = loggers.CreateLogger("edge");
        var time = TimeProvider.System;

        var bundle = ModelBundle.Load(settings.Model);
        if (locate && bundle.MapsName is null)
        {
            throw new UserError(ExitCode.InvalidArguments, $"--locate needs activation maps, but model '{bundle.Name}' names none (manifest field 'output.maps'): use a model with a CSRA head, such as the bundled one");
        }

        using var session = ModelSession.Create(bundle, settings.Ep, settings.Threads, bindMaps: locate);
        var firstInference = WarmUp(session);
        log.LogInformation("model {Name} ({Precision}, sha256 {Hash}) loaded in {Ms:F0} ms, first inference {First:F0} ms; {Report}",
            bundle.Name, bundle.Precision, bundle.Sha256[..12], session.CreationTime.TotalMilliseconds, firstInference, session.Report);

        using var source = FrameSources.Create(settings.Source, fashionMnistFolder);
        var preprocessor = new ImagePreprocessor(bundle.Input);
        var decoder = new MultiLabelDecoder(bundle.Labels, bundle.OutputKind, new DecoderOptions { Smoothing = settings.Smoothing, TopK = settings.TopK });
        var writer = new LabelSetWriter(bundle.Labels, settings.Device, settings.Source, bundle, session.Report.Active);
        using var sink = JsonLinesSink.Open(settings.Output);
        using var hardFrames = hardFramesFolder is null
            ? null
            : new HardFrameCapture(new HardFrameOptions { Directory = hardFramesFolder }, bundle.Labels, bundle.Sha256, time, loggers.CreateLogger("edge.hard-frames"));
        var pipeline = new FramePipeline(session, preprocessor, decoder, writer, sink, new FrameBudget(settings.BudgetMs, time), time) { HardFrames = hardFrames };
        var slot = new FrameSlot(() => new Frame(bundle.Input.Width, bundle.Input.Height));

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            using var capture = new CaptureLoop(source, slot, time, loggers.CreateLogger("edge.capture"));
            capture.Start();
            log.LogInformation("source {Source} open; budget {Budget} ms; publishing to {Output}", settings.Source, settings.BudgetMs, settings.Output == "-" ? "stdout" : settings.Output);
            pipeline.Run(slot, settings.Frames, cancel.Token);
            capture.Stop();
            if (capture.Fault is { } fault)
            {
                throw fault;
            }

            RunSummary.Print(Console.Error, pipeline.Stats, slot.Overwritten, session.Report.Active);
            if (hardFrames is not null)
            {
                hardFrames.Dispose();
                Console.Error.WriteLine($"hard frames: {hardFrames.Saved} saved to {hardFrames.Directory}, {hardFrames.RateLimited} rate-limited, {hardFrames.Duplicates} near-duplicates, {hardFrames.QueueFull} dropped (writer busy), {hardFrames.DiskFull} over the disk bound");
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        return cancel.IsCancellationRequested ? ExitCode.Interrupted : ExitCode.Success;
    }

    /// <summary>Runs the model once on a blank input so the first frame does not pay ONNX Runtime's first-run costs.</summary>
    private static double WarmUp(ModelSession session)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Array.Clear(session.Input);
        session.Run();
        return System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}
