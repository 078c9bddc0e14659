using Edge.Quantize.Onnx.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Quantize.Calibration;

/// <summary>
/// Streams calibration inputs through the prepared model with the tensors to calibrate exposed as extra outputs,
/// folding each into its <see cref="TensorStatistics"/>: memory stays flat however many images there are.
/// </summary>
public static class CalibrationRun
{
    /// <param name="prepared">The model with the tensors to calibrate already exposed as outputs.</param>
    /// <param name="inputName">The model input the tensors are fed to.</param>
    /// <param name="inputShape">Shape of every input tensor.</param>
    /// <param name="inputs">Input tensors, already preprocessed as the bundle prescribes, each of <paramref name="inputShape"/>.</param>
    /// <param name="tensors">Names of the tensors whose statistics are collected.</param>
    /// <param name="histograms">Whether to keep histograms as well as ranges (for percentile and entropy calibration).</param>
    /// <param name="threads">ONNX Runtime intra-op threads.</param>
    /// <param name="progress">Receives the number of inputs run so far.</param>
    public static IReadOnlyDictionary<string, TensorStatistics> Collect(
        ModelProto prepared,
        string inputName,
        long[] inputShape,
        IEnumerable<float[]> inputs,
        IReadOnlyCollection<string> tensors,
        bool histograms,
        int threads,
        IProgress<int>? progress = null)
    {
        var statistics = tensors.ToDictionary(t => t, _ => new TensorStatistics(histograms), StringComparer.Ordinal);
        using var session = CreateSession(WithOutputs(prepared, tensors), threads);
        var outputNames = tensors.ToArray();
        using var runOptions = new RunOptions();
        var count = 0;
        foreach (var input in inputs)
        {
            using var value = OrtValue.CreateTensorValueFromMemory(input, inputShape);
            using var results = session.Run(runOptions, [inputName], [value], outputNames);
            for (var i = 0; i < outputNames.Length; i++)
            {
                statistics[outputNames[i]].Add(results[i].GetTensorDataAsSpan<float>());
            }

            count++;
            progress?.Report(count);
        }

        if (count == 0)
        {
            throw new QuantizeException("the calibration set is empty: expected at least one image");
        }

        return statistics;
    }

    /// <summary>A copy of the model that also outputs the given intermediate tensors (float).</summary>
    public static ModelProto WithOutputs(ModelProto model, IEnumerable<string> tensors)
    {
        var copy = model.Clone();
        var existing = copy.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in tensors.Where(t => !existing.Contains(t)))
        {
            copy.Graph.Output.Add(new ValueInfoProto
            {
                Name = tensor,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }

        return copy;
    }

    public static InferenceSession CreateSession(ModelProto model, int threads, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level, IntraOpNumThreads = threads };
        try
        {
            return new InferenceSession(model.ToByteArray(), options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new QuantizeException($"ONNX Runtime cannot load the model: {e.Message}", e);
        }
    }
}
