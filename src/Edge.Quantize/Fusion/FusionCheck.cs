using Edge.Quantize.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Quantize.Fusion;

/// <summary>What ONNX Runtime's CPU EP made of a QDQ model: operator counts of its optimized graph.</summary>
public sealed record FusionReport(IReadOnlyDictionary<string, int> OperatorCounts)
{
    /// <summary>Quantized operators ONNX Runtime fused the node units into (QLinearConv, QLinearAdd, QGemm, …).</summary>
    public int FusedCount => OperatorCounts.Where(p => IsFused(p.Key)).Sum(p => p.Value);

    public int RemainingQuantizeLinear => OperatorCounts.GetValueOrDefault("QuantizeLinear");

    public int RemainingDequantizeLinear => OperatorCounts.GetValueOrDefault("DequantizeLinear");

    public static bool IsFused(string op) => op.StartsWith("QLinear", StringComparison.Ordinal) || op is "QGemm" or "MatMulInteger" or "ConvInteger" or "DynamicQuantizeMatMul" or "MatMulIntegerToFloat";
}

public static class FusionCheck
{
    /// <summary>Optimizes the model as ONNX Runtime's CPU EP would (extended level, where Q/DQ node units are fused) and counts the operators.</summary>
    public static FusionReport Inspect(Onnx.Proto.ModelProto model, int threads = 1)
    {
        var path = Path.Combine(Path.GetTempPath(), $"edge-fused-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = path, IntraOpNumThreads = threads })
            using (new InferenceSession(model.ToByteArray(), options))
            {
            }

            var optimized = OnnxModel.Load(path);
            return new FusionReport(optimized.Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
