using Edge.Quantize.Onnx;
using Edge.Quantize.Onnx.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Quantize.Preparation;

/// <summary>
/// Makes an FP32 model ready to quantize: upgrades the operators we support to opset 13 (per-channel Q/DQ needs it),
/// then lets ONNX Runtime's basic graph optimizations fold BatchNormalization into the convolutions and fold
/// constants, and reads the optimized graph back.
/// </summary>
public static class ModelPreparation
{
    public const long TargetOpset = 13;

    public static ModelProto Prepare(ModelProto model)
    {
        var upgraded = UpgradeOpset(model);
        return Optimize(upgraded);
    }

    /// <summary>Rewrites what changed between the model's opset and 13 for the operators we support.</summary>
    public static ModelProto UpgradeOpset(ModelProto model)
    {
        var opset = OnnxModel.Opset(model);
        if (opset >= TargetOpset)
        {
            return model;
        }

        if (opset < 7)
        {
            throw new QuantizeException($"the model imports opset {opset}: expected opset 7 or newer (older operator semantics are not converted)");
        }

        var copy = model.Clone();
        foreach (var node in copy.Graph.Node)
        {
            switch (node.OpType)
            {
                case "BatchNormalization":
                    // 'spatial' (removed in 9) and 'consumed_inputs' (removed in 6) are gone; the rest kept its meaning.
                    RemoveAttributes(node, "spatial", "consumed_inputs");
                    break;
                case "Clip" when opset < 11:
                    ClipAttributesToInputs(copy.Graph, node);
                    break;
                case "Softmax" or "LogSoftmax" or "Hardmax":
                    throw new QuantizeException($"node '{node.Name}' ({node.OpType}) changed meaning at opset 13 and the model imports opset {opset}: re-export the model at opset 13 or newer");
                case "Squeeze" or "Unsqueeze" or "ReduceSum":
                    AxesAttributeToInput(copy.Graph, node);
                    break;
                case "Dropout":
                    RemoveAttributes(node, "is_test", "consumed_inputs");
                    break;
                case "Upsample" or "Scatter" or "Pad" when opset < 11:
                    throw new QuantizeException($"node '{node.Name}' ({node.OpType}) of opset {opset} is not converted: re-export the model at opset 13 or newer");
            }
        }

        copy.OpsetImport.Clear();
        copy.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = TargetOpset });
        copy.IrVersion = Math.Max(copy.IrVersion, 7);
        return copy;
    }

    /// <summary>ONNX Runtime's basic level: BatchNormalization folded into Conv, constants folded, identities removed.</summary>
    public static ModelProto Optimize(ModelProto model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"edge-prepared-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC, OptimizedModelFilePath = path })
            {
                try
                {
                    using var session = new InferenceSession(model.ToByteArray(), options);
                }
                catch (OnnxRuntimeException e)
                {
                    throw new QuantizeException($"ONNX Runtime cannot load the model to prepare it: {e.Message}", e);
                }
            }

            var optimized = OnnxModel.Load(path);
            OnnxModel.RemoveUnusedOpsetImports(optimized); // ONNX Runtime imports every domain it knows
            return optimized;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void RemoveAttributes(NodeProto node, params string[] names)
    {
        foreach (var attribute in node.Attribute.Where(a => names.Contains(a.Name)).ToList())
        {
            node.Attribute.Remove(attribute);
        }
    }

    private static void ClipAttributesToInputs(GraphProto graph, NodeProto node)
    {
        var min = node.Attribute.FirstOrDefault(a => a.Name == "min")?.F ?? float.MinValue;
        var max = node.Attribute.FirstOrDefault(a => a.Name == "max")?.F ?? float.MaxValue;
        RemoveAttributes(node, "min", "max");
        var prefix = node.Output[0];
        graph.Initializer.Add(OnnxTensors.FloatScalar(prefix + "_clip_min", min));
        graph.Initializer.Add(OnnxTensors.FloatScalar(prefix + "_clip_max", max));
        node.Input.Add(prefix + "_clip_min");
        node.Input.Add(prefix + "_clip_max");
    }

    private static void AxesAttributeToInput(GraphProto graph, NodeProto node)
    {
        var axes = node.Attribute.FirstOrDefault(a => a.Name == "axes");
        if (axes is null)
        {
            return;
        }

        RemoveAttributes(node, "axes");
        var name = node.Output[0] + "_axes";
        graph.Initializer.Add(OnnxTensors.Int64(name, [.. axes.Ints], axes.Ints.Count));
        node.Input.Add(name);
    }
}
