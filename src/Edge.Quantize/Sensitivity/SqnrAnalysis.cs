using Edge.Quantize.Calibration;
using Edge.Quantize.Graph;
using Edge.Quantize.Onnx;
using Edge.Quantize.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Quantize.Sensitivity;

/// <summary>Signal-to-quantization-noise ratio of one tensor of the INT8 model against the FP32 model, in dB.</summary>
/// <param name="Tensor">The tensor's name in both models.</param>
/// <param name="Producer">The node whose result the tensor is (for "return this layer to float").</param>
/// <param name="SqnrDb">The ratio in decibels: higher is closer to FP32.</param>
public sealed record TensorSqnr(string Tensor, string? Producer, double SqnrDb);

/// <summary>
/// Runs the FP32 and the INT8 model side by side on a few inputs and compares every quantized tensor (the INT8 side
/// read after its DequantizeLinear, with ONNX Runtime's fusions off so each exists) and every model output.
/// </summary>
public static class SqnrAnalysis
{
    public static (IReadOnlyList<TensorSqnr> Tensors, IReadOnlyList<TensorSqnr> Outputs) Measure(
        ModelProto fp32, QuantizedModel quantized, string inputName, long[] inputShape, IEnumerable<float[]> inputs, int threads)
    {
        var tensors = quantized.Plan.Activations;
        var outputs = fp32.Graph.Output.Select(o => o.Name).ToArray();
        using var reference = CalibrationRun.CreateSession(CalibrationRun.WithOutputs(fp32, tensors), threads);
        using var candidate = CalibrationRun.CreateSession(
            CalibrationRun.WithOutputs(quantized.Model, tensors.Select(t => t + QdqRewriter.DequantizedSuffix)), threads, GraphOptimizationLevel.ORT_DISABLE_ALL);
        var referenceNames = tensors.Concat(outputs).ToArray();
        var candidateNames = tensors.Select(t => t + QdqRewriter.DequantizedSuffix).Concat(outputs).ToArray();
        var signal = new double[referenceNames.Length];
        var noise = new double[referenceNames.Length];
        using var runOptions = new RunOptions();
        var any = false;
        foreach (var input in inputs)
        {
            any = true;
            using var value = OrtValue.CreateTensorValueFromMemory(input, inputShape);
            using var expected = reference.Run(runOptions, [inputName], [value], referenceNames);
            using var actual = candidate.Run(runOptions, [inputName], [value], candidateNames);
            for (var i = 0; i < referenceNames.Length; i++)
            {
                var r = expected[i].GetTensorDataAsSpan<float>();
                var a = actual[i].GetTensorDataAsSpan<float>();
                for (var j = 0; j < r.Length; j++)
                {
                    signal[i] += (double)r[j] * r[j];
                    var d = (double)r[j] - a[j];
                    noise[i] += d * d;
                }
            }
        }

        if (!any)
        {
            throw new QuantizeException("no inputs to measure SQNR on: expected at least one image");
        }

        var index = new GraphIndex(fp32.Graph);
        var results = referenceNames.Select((name, i) => new TensorSqnr(name, index.Producer(name) is { } p ? GraphIndex.Describe(p) : null, Db(signal[i], noise[i]))).ToList();
        return (results.Take(tensors.Count).ToList(), results.Skip(tensors.Count).ToList());
    }

    private static double Db(double signal, double noise) =>
        noise == 0 ? double.PositiveInfinity : signal == 0 ? double.NegativeInfinity : 10 * Math.Log10(signal / noise);
}
