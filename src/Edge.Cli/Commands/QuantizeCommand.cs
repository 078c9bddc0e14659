using System.CommandLine;
using System.Globalization;
using Edge.Cli.Configuration;
using Edge.Quantize;
using Edge.Quantize.Calibration;
using Edge.Quantize.Graph;
using Edge.Quantize.Onnx;
using Edge.Quantize.TensorRt;
using Edge.Tools.Quantization;

namespace Edge.Cli.Commands;

/// <summary><c>edge quantize</c>: an FP32 bundle to an INT8 bundle for the CPU or TensorRT, with an accuracy and speed report.</summary>
internal static class QuantizeCommand
{
    public static Command Create(Option<bool> verbose)
    {
        var model = new Option<string?>("--model") { Description = "FP32 bundle folder to quantize (default: the bundled multifashion-resnet18)" };
        var target = new Option<string>("--target") { Description = "cpu (uint8 activations, fused by ONNX Runtime's CPU EP) or tensorrt (symmetric int8 Q/DQ)", DefaultValueFactory = _ => "cpu" };
        var calibration = new Option<string?>("--calibration") { Description = "Calibration images: a csv/coco/voc dataset (as edge eval reads) or images:DIR" };
        var calibrationFormat = new Option<string?>("--calibration-format") { Description = "csv, coco or voc (default: detected)" };
        var count = new Option<int>("--count") { Description = "Calibration images to use, spread over the set (default 500)", DefaultValueFactory = _ => 500 };
        var method = new Option<string>("--method") { Description = "minmax, percentile or entropy (default minmax)", DefaultValueFactory = _ => "minmax" };
        var percentile = new Option<double>("--percentile") { Description = "For --method percentile: 99.99 or 99.999 (default)", DefaultValueFactory = _ => 99.999 };
        var excludeNode = new Option<string[]>("--exclude-node") { Description = "Keep this node in float (repeatable)" };
        var excludeOp = new Option<string[]>("--exclude-op") { Description = "Keep every node of this operator type in float (repeatable)" };
        var firstFloat = new Option<bool>("--keep-first-float") { Description = "Keep the first weight layer (reading the image) in float" };
        var lastFloat = new Option<bool>("--keep-last-float") { Description = "Keep the last weight layer(s) in float" };
        var fallback = new Option<bool>("--allow-float-fallback") { Description = "Keep unsupported operators in float (with a warning) instead of stopping" };
        var validation = new Option<string?>("--validation") { Description = "Labelled dataset for FP32 vs INT8 accuracy (per-label AP, mAP drop)" };
        var validationFormat = new Option<string?>("--validation-format") { Description = "csv, coco or voc (default: detected)" };
        var maxDrop = new Option<double?>("--max-map-drop") { Description = "Automatic mode: return the most sensitive layers to float, one at a time, until the mAP drop is at most this (needs --validation)" };
        var retune = new Option<bool>("--retune-thresholds") { Description = "Re-tune label thresholds for the INT8 model on the validation set" };
        var output = new Option<string?>("--out") { Description = "Folder for the INT8 bundle" };
        var report = new Option<string?>("--report") { Description = "Folder for quantization-report.json and .md (default: the bundle folder)" };
        var force = new Option<bool>("--force") { Description = "Replace the output folder if it exists" };
        var maxMegapixels = new Option<int>("--max-megapixels") { Description = $"Refuse calibration and validation images whose header states more megapixels, before decoding (default {Camera.Sources.OpenCv.ImageFile.DefaultMaxMegapixels}, at most {Camera.Sources.OpenCv.ImageFile.MaxMegapixelsLimit})", DefaultValueFactory = _ => Camera.Sources.OpenCv.ImageFile.DefaultMaxMegapixels };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0: its default)" };
        var latencyFrames = new Option<int>("--latency-frames") { Description = "Frames per model for the FP32 vs INT8 latency comparison (0: skip; default 200)", DefaultValueFactory = _ => 200 };
        var checkTensorRt = new Option<string?>("--check-tensorrt") { Description = "Only check a QDQ model (ONNX file or bundle) against TensorRT's rules and report every violation" };

        var command = new Command("quantize", "INT8 post-training quantization: calibrate, quantize for cpu or tensorrt, measure accuracy and speed against FP32")
        {
            model, target, calibration, calibrationFormat, count, method, percentile, excludeNode, excludeOp, firstFloat, lastFloat, fallback,
            validation, validationFormat, maxDrop, retune, output, report, force, threads, latencyFrames, checkTensorRt, maxMegapixels,
        };
        command.SetAction(parse => CommandRunner.Run(parse.GetValue(verbose), () =>
        {
            if (parse.GetValue(checkTensorRt) is { } checkPath)
            {
                return CheckTensorRt(checkPath);
            }

            var request = new QuantizeRequest
            {
                Model = parse.GetValue(model) ?? RunSettings.DefaultModelDirectory,
                Calibration = parse.GetValue(calibration) ?? throw new UserError(ExitCode.InvalidArguments, "--calibration is required: a csv/coco/voc dataset or images:DIR"),
                CalibrationFormat = parse.GetValue(calibrationFormat),
                CalibrationCount = Range(parse.GetValue(count), 1, 100_000, "--count"),
                Output = parse.GetValue(output) ?? throw new UserError(ExitCode.InvalidArguments, "--out is required: the folder for the INT8 bundle"),
                Target = QuantizationTargetNames.TryParse(parse.GetValue(target)!, out var t) ? t : throw new UserError(ExitCode.InvalidArguments, $"--target '{parse.GetValue(target)}' is invalid: expected cpu or tensorrt"),
                Method = ParseMethod(parse.GetValue(method)!),
                Percentile = parse.GetValue(percentile) is var p && p is > 90 and < 100 ? p : throw new UserError(ExitCode.InvalidArguments, $"--percentile {p.ToString(CultureInfo.InvariantCulture)} is invalid: expected a number above 90 and below 100, such as 99.99"),
                Exclusions = new Exclusions
                {
                    NodeNames = new HashSet<string>(parse.GetValue(excludeNode) ?? [], StringComparer.Ordinal),
                    OperatorTypes = new HashSet<string>(parse.GetValue(excludeOp) ?? [], StringComparer.Ordinal),
                    FirstLayer = parse.GetValue(firstFloat),
                    LastLayer = parse.GetValue(lastFloat),
                },
                AllowFloatFallback = parse.GetValue(fallback),
                Validation = parse.GetValue(validation),
                ValidationFormat = parse.GetValue(validationFormat),
                MaxMapDrop = parse.GetValue(maxDrop) is { } drop
                    ? (drop >= 0 && drop <= 100 ? drop : throw new UserError(ExitCode.InvalidArguments, $"--max-map-drop {drop.ToString(CultureInfo.InvariantCulture)} is invalid: expected 0 to 100 mAP points"))
                    : null,
                RetuneThresholds = parse.GetValue(retune),
                Force = parse.GetValue(force),
                Threads = Range(parse.GetValue(threads), 0, 256, "--threads"),
                LatencyFrames = Range(parse.GetValue(latencyFrames), 0, 1_000_000, "--latency-frames"),
                MaxMegapixels = Range(parse.GetValue(maxMegapixels), 1, Camera.Sources.OpenCv.ImageFile.MaxMegapixelsLimit, "--max-megapixels"),
            };
            if ((request.MaxMapDrop is not null || request.RetuneThresholds) && request.Validation is null)
            {
                throw new UserError(ExitCode.InvalidArguments, "--max-map-drop and --retune-thresholds need --validation: a labelled dataset to measure accuracy on");
            }

            return Execute(request, parse.GetValue(report), parse.GetValue(verbose));
        }));
        return command;
    }

    private static ExitCode Execute(QuantizeRequest request, string? reportDirectory, bool verbose)
    {
        using var loggers = Logging.CreateFactory(verbose);
        var log = loggers.CreateLogger("edge.quantize");
        var bars = new List<ProgressBar>();
        var outcome = new QuantizeWorkflow(request, log, (label, total) =>
        {
            var bar = new ProgressBar(label, total);
            bars.Add(bar);
            return new Progress<int>(value =>
            {
                bar.Report(value);
                if (value >= total)
                {
                    bar.Finish();
                }
            });
        }, TimeProvider.System).Run();
        var written = QuantizationReport.Write(reportDirectory ?? outcome.Bundle.Directory, outcome);
        var c = CultureInfo.InvariantCulture;
        Console.Out.WriteLine(string.Create(c, $"INT8 bundle: {outcome.Bundle.Directory} ({outcome.Request.Target.Name()}, sha256 {outcome.Bundle.Sha256[..12]})"));
        Console.Out.WriteLine(string.Create(c, $"calibration: {outcome.CalibrationImages} images, {outcome.CalibrationSeconds:F1} s; total {outcome.TotalSeconds:F1} s"));
        if (outcome.MapDrop is { } drop)
        {
            Console.Out.WriteLine(string.Create(c, $"mAP: FP32 {outcome.Fp32Metrics!.MeanAp:F2}, INT8 {outcome.Int8Metrics!.MeanAp:F2}, drop {drop:F2}"));
        }

        Console.Out.WriteLine(string.Create(c, $"fused by ONNX Runtime's CPU EP: {outcome.Fusion.FusedCount} quantized operators; {outcome.Plan.QuantizedNodes.Count} nodes quantized"));
        if (outcome.Latency is { } latency)
        {
            Console.Out.WriteLine(string.Create(c, $"CPU latency, same run: bare p50 FP32 {latency.Fp32.Bare.P50:F2} ms, INT8 {latency.Int8.Bare.P50:F2} ms ({latency.BareSpeedupP50:F2}x); end-to-end p50 {latency.EndToEndSpeedupP50:F2}x"));
        }

        Console.Out.WriteLine($"report: {string.Join(", ", written)}");
        return ExitCode.Success;
    }

    private static ExitCode CheckTensorRt(string path)
    {
        var file = Directory.Exists(path) ? Edge.Runtime.Bundles.ModelBundle.Load(path).ModelPath : path;
        var violations = TensorRtQdqRules.Check(OnnxModel.Load(file));
        if (violations.Count == 0)
        {
            Console.Out.WriteLine($"{file}: no violations of TensorRT's Q/DQ rules");
            return ExitCode.Success;
        }

        foreach (var violation in violations)
        {
            Console.Out.WriteLine($"{violation.Node}: {violation.Rule}: {violation.Detail}");
        }

        Console.Error.WriteLine($"edge: error: {file} breaks TensorRT's Q/DQ rules in {violations.Count} place(s)");
        return ExitCode.TensorRtRulesBroken;
    }

    private static CalibrationMethod ParseMethod(string text) => text.ToLowerInvariant() switch
    {
        "minmax" => CalibrationMethod.MinMax,
        "percentile" => CalibrationMethod.Percentile,
        "entropy" => CalibrationMethod.Entropy,
        _ => throw new UserError(ExitCode.InvalidArguments, $"--method '{text}' is invalid: expected minmax, percentile or entropy"),
    };

    private static int Range(int value, int min, int max, string flag) =>
        value >= min && value <= max ? value : throw new UserError(ExitCode.InvalidArguments, $"{flag} is {value}: expected {min} to {max}");
}
