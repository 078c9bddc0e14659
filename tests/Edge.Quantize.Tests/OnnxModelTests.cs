using Edge.Quantize.Onnx;
using Edge.Quantize.Onnx.Proto;

namespace Edge.Quantize.Tests;

public sealed class OnnxModelTests
{
    [Fact]
    public void Load_NotAnOnnxFile_SaysSo()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [0x08, 0x07, 0x12, 0xFF, 0x00, 0x13, 0x37]);

            var error = Assert.Throws<QuantizeException>(() => OnnxModel.Load(path));

            Assert.Contains("is not a valid ONNX file", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_SaysWhatWasExpected()
    {
        var error = Assert.Throws<QuantizeException>(() => OnnxModel.Load("/nonexistent/model.onnx"));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RemoveUnusedOpsetImports_KeepsTheDomainsOfNodesAndSubgraphs_AndDropsTheRest()
    {
        var model = new ModelProto { Graph = new GraphProto() };
        model.Graph.Node.Add(new NodeProto { OpType = "Relu", Domain = "ai.onnx" });
        var branch = new GraphProto();
        branch.Node.Add(new NodeProto { OpType = "Gelu", Domain = "com.microsoft" });
        model.Graph.Node.Add(new NodeProto { OpType = "If", Attribute = { new AttributeProto { Name = "then_branch", G = branch } } });
        foreach (var domain in new[] { "", "ai.onnx.ml", "com.microsoft", "com.microsoft.nchwc", "org.pytorch.aten" })
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = domain.Length == 0 ? 13 : 1 });
        }

        OnnxModel.RemoveUnusedOpsetImports(model);

        Assert.Equal(["", "com.microsoft"], model.OpsetImport.Select(o => o.Domain));
    }
}
