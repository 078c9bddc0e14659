using System.Diagnostics;
using System.Text.Json.Nodes;
using Edge.Quantize;
using Edge.Quantize.Fusion;
using Edge.Quantize.Graph;
using Edge.Quantize.Onnx;
using Edge.Quantize.Sensitivity;
using Edge.Quantize.TensorRt;
using Edge.Runtime.Bundles;
using Edge.Runtime.Inference;
using Edge.Tools.Benchmarking;
using Edge.Tools.Evaluation;
using Edge.Tools.Evaluation.Datasets;
using Microsoft.Extensions.Logging;

namespace Edge.Tools.Quantization;

/// <summary>
/// <c>edge quantize</c>: FP32 bundle -> prepared model -> calibration -> INT8 model for a target -> checks (TensorRT
/// rules or CPU fusion) -> accuracy against FP32 (with the automatic fall-back to float if asked) -> SQNR per tensor
/// -> latency FP32 vs INT8 in one run -> an INT8 bundle and a report. The bundle is assembled in a staging folder and
/// moved into place only when everything succeeded, replacing an existing one without a moment where a crash would
/// lose both (<see cref="BundleReplacement"/>).
/// </summary>
public sealed class QuantizeWorkflow(QuantizeRequest request, ILogger log, Func<string, int, IProgress<int>> progressBar, TimeProvider time)
{
    private const int MaxAutomaticSteps = 24;

    public QuantizationOutcome Run()
    {
        var started = Stopwatch.GetTimestamp();
        var destination = Path.GetFullPath(request.Output);
        if (Path.GetDirectoryName(destination) is null)
        {
            throw new QuantizeException($"output folder '{destination}' is a file system root: expected a folder inside an existing directory");
        }

        var replacement = new BundleReplacement(destination, time);
        foreach (var repaired in replacement.RecoverAndClean())
        {
            log.LogWarning("{Repair}", repaired);
        }

        CheckDestination(destination);
        var bundle = ModelBundle.Load(request.Model);
        if (bundle.Precision != "fp32" || bundle.Manifest.Quantization is not null)
        {
            throw new QuantizeException($"model '{bundle.Name}' is already {bundle.Precision}: expected an FP32 bundle to quantize");
        }

        var fp32 = OnnxModel.Load(bundle.ModelPath);
        var quantizer = Quantizer.Prepare(fp32, request.AllowFloatFallback);
        var images = CalibrationImages.Select(request.Calibration, request.CalibrationFormat, request.CalibrationCount);
        var inputShape = InputShape(bundle);
        var calibrationStarted = Stopwatch.GetTimestamp();
        var statistics = quantizer.Calibrate(bundle.InputName, inputShape, Checked(images.Tensors(bundle, maxMegapixels: request.MaxMegapixels), inputShape), request.Threads, progressBar("calibrating", images.Paths.Count));
        var calibrationSeconds = Stopwatch.GetElapsedTime(calibrationStarted).TotalSeconds;
        var calibrationSha256 = images.Sha256(); // once: the automatic mode rewrites the bundle many times
        log.LogInformation("calibrated {Tensors} tensors on {Images} images in {Seconds:F1} s", quantizer.CandidateTensors.Count, images.Paths.Count, calibrationSeconds);

        var options = new QuantizeOptions
        {
            Target = request.Target,
            Method = request.Method,
            Percentile = request.Percentile,
            Exclusions = request.Exclusions,
            AllowFloatFallback = request.AllowFloatFallback,
        };
        var staging = replacement.Staging;
        try
        {
            var validation = request.Validation is null ? null : DatasetReader.Read(request.Validation, request.ValidationFormat);
            var fp32Metrics = validation is null ? null : Evaluate(bundle, validation, "FP32");
            var steps = new List<AutomaticStep>();
            QuantizedModel quantized;
            MetricsReport? int8Metrics;
            IReadOnlyList<TensorSqnr> tensorSqnr;
            IReadOnlyList<TensorSqnr> outputSqnr;
            while (true)
            {
                quantized = quantizer.Quantize(options, statistics);
                foreach (var fallback in quantized.Plan.FloatFallbacks)
                {
                    log.LogWarning("operator of node {Node} is not supported: kept in float (--allow-float-fallback)", fallback);
                }

                Verify(quantized);
                WriteBundle(bundle, quantized, images, calibrationSha256, staging);
                (tensorSqnr, outputSqnr) = SqnrAnalysis.Measure(quantizer.Prepared, quantized, bundle.InputName, inputShape, images.Tensors(bundle, request.SqnrImages, request.MaxMegapixels), request.Threads);
                int8Metrics = validation is null ? null : Evaluate(ModelBundle.Load(staging), validation, "INT8");
                var drop = fp32Metrics is null || int8Metrics is null ? 0 : fp32Metrics.MeanAp - int8Metrics.MeanAp;
                if (request.MaxMapDrop is not { } maxDrop || drop <= maxDrop || steps.Count >= MaxAutomaticSteps)
                {
                    break;
                }

                var worst = MostSensitiveUnit(quantized, tensorSqnr, options.Exclusions);
                if (worst is null)
                {
                    break;
                }

                steps.Add(new AutomaticStep(worst.Value.Node, worst.Value.Sqnr, drop));
                log.LogInformation("mAP drop {Drop:F2} > {Max:F2}: returning {Node} (SQNR {Sqnr:F1} dB) to float", drop, maxDrop, worst.Value.Node, worst.Value.Sqnr);
                options = options with { Exclusions = options.Exclusions.WithNode(worst.Value.Node) };
            }

            if (request.RetuneThresholds && validation is not null)
            {
                RetuneThresholds(staging, validation);
                int8Metrics = Evaluate(ModelBundle.Load(staging), validation, "INT8 (re-tuned thresholds)");
            }

            var fusion = FusionCheck.Inspect(quantized.Model, Math.Max(1, request.Threads));
            if (request.Target == QuantizationTarget.Cpu && fusion.FusedCount == 0)
            {
                log.LogWarning("ONNX Runtime fused none of the quantized units into QLinear operators: this INT8 model will not be faster than FP32 on the CPU");
            }

            var latency = request.LatencyFrames > 0 ? CompareLatency(bundle.Directory, staging) : null;
            replacement.Commit();
            return new QuantizationOutcome
            {
                Request = request,
                Source = bundle,
                Bundle = ModelBundle.Load(destination),
                Plan = quantized.Plan,
                Ranges = quantized.Ranges,
                CalibrationImages = images.Paths.Count,
                CalibrationSeconds = calibrationSeconds,
                TotalSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
                Fp32Metrics = fp32Metrics,
                Int8Metrics = int8Metrics,
                TensorSqnr = tensorSqnr,
                OutputSqnr = outputSqnr,
                Fusion = fusion,
                Latency = latency,
                AutomaticSteps = steps,
            };
        }
        finally
        {
            replacement.DeleteStaging();
        }
    }

    private void CheckDestination(string destination)
    {
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any() && !request.Force)
        {
            throw new QuantizeException($"output folder '{destination}' exists and is not empty: choose a new folder or pass --force to replace it");
        }

        var parent = Path.GetDirectoryName(destination);
        if (parent is not null && !Directory.Exists(parent))
        {
            throw new QuantizeException($"output folder's parent '{parent}' does not exist: expected a folder in an existing directory");
        }
    }

    private static long[] InputShape(ModelBundle bundle) => bundle.Input.Layout == TensorLayout.Nchw
        ? [1, 3, bundle.Input.Height, bundle.Input.Width]
        : [1, bundle.Input.Height, bundle.Input.Width, 3];

    /// <summary>Fails early, naming the image, when a tensor does not have the model's input size.</summary>
    private static IEnumerable<float[]> Checked(IEnumerable<float[]> tensors, long[] shape)
    {
        var expected = shape.Aggregate(1L, (a, b) => a * b);
        foreach (var tensor in tensors)
        {
            if (tensor.Length != expected)
            {
                throw new QuantizeException($"a calibration tensor has {tensor.Length} values but the model's input [{string.Join(", ", shape)}] needs {expected}");
            }

            yield return tensor;
        }
    }

    private void Verify(QuantizedModel quantized)
    {
        if (request.Target == QuantizationTarget.TensorRt)
        {
            var violations = TensorRtQdqRules.Check(quantized.Model);
            if (violations.Count > 0)
            {
                throw new InvalidOperationException($"the TensorRT model breaks TensorRT's rules ({violations.Count}), first: {violations[0].Node}: {violations[0].Detail}");
            }
        }
    }

    private void WriteBundle(ModelBundle source, QuantizedModel quantized, CalibrationImages images, string calibrationSha256, string staging)
    {
        Directory.CreateDirectory(staging);
        var modelPath = Path.Combine(staging, "model.onnx");
        OnnxModel.Save(quantized.Model, modelPath);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(source.Directory, ModelBundle.ManifestFile)))!.AsObject();
        manifest["name"] = $"{source.Name}-int8-{request.Target.Name()}";
        manifest["model_file"] = "model.onnx";
        manifest["sha256"] = ModelBundle.HashFile(modelPath);
        manifest["precision"] = "int8";
        manifest["description"] = $"{source.Manifest.Description} INT8 ({request.Target.Name()} target) made by edge quantize.";
        var floatNodes = new JsonArray([.. quantized.Plan.Excluded.Concat(quantized.Plan.FloatFallbacks).Select(n => (JsonNode?)JsonValue.Create(n))]);
        manifest["quantization"] = new JsonObject
        {
            ["target"] = request.Target.Name(),
            ["method"] = request.Method.ToString().ToLowerInvariant(),
            ["percentile"] = request.Method == Quantize.Calibration.CalibrationMethod.Percentile ? request.Percentile : null,
            ["calibration_images"] = images.Paths.Count,
            ["calibration_sha256"] = calibrationSha256,
            ["calibration_source"] = images.Source,
            ["source_sha256"] = source.Sha256,
            ["float_nodes"] = floatNodes,
        };
        File.WriteAllText(Path.Combine(staging, ModelBundle.ManifestFile), manifest.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");

        ModelBundle.Load(staging); // proves the bundle is valid before anything else uses it
    }

    private MetricsReport Evaluate(ModelBundle bundle, LabeledDataset dataset, string what)
    {
        using var session = ModelSession.Create(bundle, ExecutionProviderChoice.Cpu, request.Threads);
        var result = Evaluator.Run(bundle, session, dataset, progressBar($"evaluating {what}", dataset.Images.Count), maxMegapixels: request.MaxMegapixels);
        log.LogInformation("{What}: mAP {Map:F2} on {Images} images", what, result.Overall.MeanAp, dataset.Images.Count);
        return result.Overall;
    }

    private void RetuneThresholds(string staging, LabeledDataset validation)
    {
        var bundle = ModelBundle.Load(staging);
        using var session = ModelSession.Create(bundle, ExecutionProviderChoice.Cpu, request.Threads);
        var result = Evaluator.Run(bundle, session, validation, progressBar("re-tuning thresholds", validation.Images.Count), maxMegapixels: request.MaxMegapixels);
        var tuned = ThresholdTuner.Tune(result.Scores, bundle.Labels.Select(label => (double)label.On).ToArray());
        ManifestThresholdWriter.Write(bundle, tuned.Select(t => t.New).ToArray(), ManifestThresholdWriter.Describe(validation.Source, validation.Images.Count, time.GetUtcNow()));
    }

    /// <summary>The quantized unit with the lowest-SQNR output that is still quantized (its node name).</summary>
    private static (string Node, double Sqnr)? MostSensitiveUnit(QuantizedModel quantized, IReadOnlyList<TensorSqnr> sqnr, Exclusions exclusions)
    {
        var index = new GraphIndex(quantized.Model.Graph);
        foreach (var tensor in sqnr.Where(t => double.IsFinite(t.SqnrDb)).OrderBy(t => t.SqnrDb))
        {
            // The unit producing the tensor: through a removable activation back to the quantized node before it.
            var producer = index.Producer(tensor.Tensor);
            if (producer is not null && OperatorSupport.RemovableActivations.Contains(producer.OpType))
            {
                producer = index.Producer(producer.Input[0]);
            }

            var node = producer is not null && quantized.Plan.QuantizedNodes.Any(n => ReferenceEquals(n, producer))
                ? producer
                : quantized.Plan.Rewired[tensor.Tensor].FirstOrDefault();
            if (node is not null && node.Name.Length > 0 && !exclusions.NodeNames.Contains(node.Name))
            {
                return (node.Name, tensor.SqnrDb);
            }
        }

        return null;
    }

    private LatencyComparison CompareLatency(string fp32Bundle, string int8Bundle)
    {
        var options = new BenchOptions
        {
            Variants = [new BenchVariant("fp32", fp32Bundle, ExecutionProviderChoice.Cpu), new BenchVariant("int8", int8Bundle, ExecutionProviderChoice.Cpu)],
            Source = "synthetic",
            Frames = request.LatencyFrames,
            WarmUpFrames = 20,
            BlockFrames = 20,
            BudgetMs = 60_000,
            Threads = request.Threads,
        };
        using var runner = new BenchRunner(options, time);
        var result = runner.Run(new Progress<(long Done, long Total)>());
        return new LatencyComparison(result.Variants[0], result.Variants[1]);
    }
}

/// <summary>One step of the automatic mode: a node returned to float, its SQNR, and the mAP drop that prompted it.</summary>
public sealed record AutomaticStep(string Node, double SqnrDb, double MapDropBefore);

/// <summary>FP32 and INT8 measured in the same interleaved run.</summary>
public sealed record LatencyComparison(VariantResult Fp32, VariantResult Int8)
{
    public double BareSpeedupP50 => Fp32.Bare.P50 / Int8.Bare.P50;

    public double EndToEndSpeedupP50 => Fp32.EndToEnd.P50 / Int8.EndToEnd.P50;
}

/// <summary>What <c>edge quantize</c> produced and measured.</summary>
public sealed record QuantizationOutcome
{
    public required QuantizeRequest Request { get; init; }

    public required ModelBundle Source { get; init; }

    public required ModelBundle Bundle { get; init; }

    public required QuantizationPlan Plan { get; init; }

    public required IReadOnlyDictionary<string, (float Min, float Max)> Ranges { get; init; }

    public required int CalibrationImages { get; init; }

    public required double CalibrationSeconds { get; init; }

    public required double TotalSeconds { get; init; }

    public MetricsReport? Fp32Metrics { get; init; }

    public MetricsReport? Int8Metrics { get; init; }

    public required IReadOnlyList<TensorSqnr> TensorSqnr { get; init; }

    public required IReadOnlyList<TensorSqnr> OutputSqnr { get; init; }

    public required FusionReport Fusion { get; init; }

    public LatencyComparison? Latency { get; init; }

    public required IReadOnlyList<AutomaticStep> AutomaticSteps { get; init; }

    public double? MapDrop => Fp32Metrics is null || Int8Metrics is null ? null : Fp32Metrics.MeanAp - Int8Metrics.MeanAp;
}
