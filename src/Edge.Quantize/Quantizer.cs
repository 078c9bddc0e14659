using Edge.Quantize.Calibration;
using Edge.Quantize.Graph;
using Edge.Quantize.Onnx.Proto;
using Edge.Quantize.Preparation;
using Edge.Quantize.Quantization;

namespace Edge.Quantize;

/// <summary>How to quantize a calibrated model.</summary>
public sealed record QuantizeOptions
{
    public QuantizationTarget Target { get; init; } = QuantizationTarget.Cpu;

    public CalibrationMethod Method { get; init; } = CalibrationMethod.MinMax;

    /// <summary>For <see cref="CalibrationMethod.Percentile"/>: 99.99 or 99.999 are the usual choices.</summary>
    public double Percentile { get; init; } = 99.999;

    public Exclusions Exclusions { get; init; } = Exclusions.None;

    public bool AllowFloatFallback { get; init; }
}

/// <summary>A quantized model and how it came about.</summary>
public sealed record QuantizedModel(
    ModelProto Model,
    QuantizationPlan Plan,
    IReadOnlyDictionary<string, (float Min, float Max)> Ranges,
    IReadOnlyDictionary<string, QuantParams> Parameters);

/// <summary>
/// Post-training INT8 quantization of one FP32 model: <see cref="Prepare"/> once, <see cref="Calibrate"/> once on
/// real inputs, then <see cref="Quantize"/> as often as needed (different targets, methods or exclusions reuse the
/// same statistics, which is what makes the automatic fall-back to float cheap).
/// </summary>
public sealed class Quantizer
{
    private Quantizer(ModelProto prepared, bool allowFloatFallback)
    {
        Prepared = prepared;
        // Every tensor any target could quantize, so one calibration serves all plans.
        CandidateTensors = [.. QuantizationPlanner.Plan(prepared.Graph, QuantizationTarget.Cpu, Exclusions.None, allowFloatFallback).Activations
            .Union(QuantizationPlanner.Plan(prepared.Graph, QuantizationTarget.TensorRt, Exclusions.None, allowFloatFallback).Activations, StringComparer.Ordinal)];
    }

    /// <summary>The <c>producer_name</c> of every model this quantizer writes.</summary>
    public const string ProducerName = "edge-quantize";

    /// <summary>
    /// The <c>producer_version</c>: Edge's version (major.minor.patch, without a build suffix so that the same inputs
    /// give the same bytes from any commit of a release).
    /// </summary>
    public static string ProducerVersion { get; } = typeof(Quantizer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The FP32 model after opset upgrade and BatchNormalization folding: the reference for accuracy and SQNR.</summary>
    public ModelProto Prepared { get; }

    public IReadOnlyList<string> CandidateTensors { get; }

    public static Quantizer Prepare(ModelProto fp32, bool allowFloatFallback)
    {
        if (QuantizationPlanner.IsQuantized(fp32.Graph))
        {
            throw new QuantizeException("the model is already quantized (it has QuantizeLinear/DequantizeLinear or integer operators): expected an FP32 model");
        }

        var prepared = ModelPreparation.Prepare(fp32);
        return new Quantizer(prepared, allowFloatFallback);
    }

    /// <summary>Streams the calibration inputs once, keeping min/max and |x| histograms of every candidate tensor.</summary>
    public IReadOnlyDictionary<string, TensorStatistics> Calibrate(string inputName, long[] inputShape, IEnumerable<float[]> inputs, int threads, IProgress<int>? progress = null) =>
        CalibrationRun.Collect(Prepared, inputName, inputShape, inputs, CandidateTensors, histograms: true, threads, progress);

    public QuantizedModel Quantize(QuantizeOptions options, IReadOnlyDictionary<string, TensorStatistics> statistics)
    {
        var model = Prepared.Clone();
        var plan = QuantizationPlanner.Plan(model.Graph, options.Target, options.Exclusions, options.AllowFloatFallback);
        var ranges = new Dictionary<string, (float Min, float Max)>(StringComparer.Ordinal);
        foreach (var tensor in plan.Activations)
        {
            if (!statistics.TryGetValue(tensor, out var stats))
            {
                throw new QuantizeException($"tensor '{tensor}' was not calibrated: calibrate with this quantizer before quantizing");
            }

            ranges[tensor] = RangeSelection.Select(stats, options.Method, options.Percentile);
        }

        // The opset imports were pruned when the model was prepared; the rewrite adds only default-domain nodes.
        var parameters = QdqRewriter.Apply(model, plan, ranges);
        model.ProducerName = ProducerName;
        model.ProducerVersion = ProducerVersion;
        return new QuantizedModel(model, plan, ranges, parameters);
    }
}
