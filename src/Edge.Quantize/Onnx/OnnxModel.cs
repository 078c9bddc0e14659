using Edge.Quantize.Onnx.Proto;
using Google.Protobuf;

namespace Edge.Quantize.Onnx;

/// <summary>Reads and writes ONNX models (protobuf, external data not supported) with clear errors for bad files.</summary>
public static class OnnxModel
{
    /// <summary>Protobuf's own limit; models above it need external data, which these tools do not handle.</summary>
    private const long MaxModelBytes = int.MaxValue;

    public static ModelProto Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new QuantizeException($"model '{path}' does not exist: expected an ONNX file or a bundle folder");
        }

        var length = new FileInfo(path).Length;
        if (length == 0 || length >= MaxModelBytes)
        {
            throw new QuantizeException($"model '{path}' is {length} bytes: expected a non-empty ONNX file under 2 GiB");
        }

        ModelProto model;
        try
        {
            using var stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new QuantizeException($"model '{path}' is not a valid ONNX file: {e.Message}", e);
        }

        if (model.Graph is null || model.Graph.Node.Count == 0)
        {
            throw new QuantizeException($"model '{path}' has no graph nodes: expected an ONNX model");
        }

        if (model.Graph.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            throw new QuantizeException($"model '{path}' keeps weights in external data files: expected weights inside the ONNX file");
        }

        return model;
    }

    /// <summary>Writes to a temporary file next to <paramref name="path"/> and moves it into place, so a failure leaves nothing half-written.</summary>
    public static void Save(ModelProto model, string path)
    {
        var temporary = path + ".partial";
        try
        {
            using (var stream = File.Create(temporary))
            {
                model.WriteTo(stream);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public static byte[] ToBytes(ModelProto model) => model.ToByteArray();

    /// <summary>
    /// Drops the opset imports of domains that no node uses (in the graph, its subgraphs or the model's functions).
    /// ONNX Runtime writes an optimized model with an import of every domain it knows; a model should import only
    /// what it needs. The default domain ("" or "ai.onnx") is kept whenever any node uses it.
    /// </summary>
    public static void RemoveUnusedOpsetImports(ModelProto model)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        CollectDomains(model.Graph, used);
        foreach (var function in model.Functions)
        {
            used.Add(DomainKey(function.Domain));
            foreach (var node in function.Node)
            {
                used.Add(DomainKey(node.Domain));
            }
        }

        foreach (var unused in model.OpsetImport.Where(o => !used.Contains(DomainKey(o.Domain))).ToList())
        {
            model.OpsetImport.Remove(unused);
        }
    }

    /// <summary>The default-domain opset the model imports (0 when it imports none).</summary>
    public static long Opset(ModelProto model) =>
        model.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();

    private static void CollectDomains(GraphProto graph, HashSet<string> used)
    {
        foreach (var node in graph.Node)
        {
            used.Add(DomainKey(node.Domain));
            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is { } subgraph)
                {
                    CollectDomains(subgraph, used);
                }

                foreach (var graphs in attribute.Graphs)
                {
                    CollectDomains(graphs, used);
                }
            }
        }
    }

    private static string DomainKey(string domain) => domain == "ai.onnx" ? string.Empty : domain;
}
