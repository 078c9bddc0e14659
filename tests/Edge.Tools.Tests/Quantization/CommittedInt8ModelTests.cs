using Edge.Quantize;
using Edge.Quantize.Onnx;
using Edge.Runtime.Bundles;

namespace Edge.Tools.Tests.Quantization;

/// <summary>The INT8 bundles in models/ carry what <c>edge quantize</c> writes today.</summary>
public sealed class CommittedInt8ModelTests
{
    [Theory]
    [InlineData("multifashion-resnet18-int8-cpu")]
    [InlineData("multifashion-resnet18-int8-tensorrt")]
    public void CommittedInt8Model_ImportsOnlyTheDomainsItUses_AndNamesEdgeAsProducer(string name)
    {
        var bundle = ModelBundle.Load(Path.Combine(AppContext.BaseDirectory, "models", name)); // checks the manifest's sha256
        var model = OnnxModel.Load(bundle.ModelPath);

        Assert.Equal([string.Empty], model.Graph.Node.Select(n => n.Domain).Distinct());
        Assert.Equal([string.Empty], model.OpsetImport.Select(o => o.Domain));
        Assert.Equal(Quantizer.ProducerName, model.ProducerName);
        Assert.Equal(Quantizer.ProducerVersion, model.ProducerVersion);
        // The quantizer's serializer writes the file back byte for byte: rebuilding the bundle can give the manifest's hash.
        Assert.True(File.ReadAllBytes(bundle.ModelPath).AsSpan().SequenceEqual(OnnxModel.ToBytes(model)), "re-serialized model differs from the file");
    }

    [Theory]
    [InlineData("multifashion-resnet18")]
    [InlineData("multifashion-resnet18-int8-cpu")]
    [InlineData("multifashion-resnet18-int8-tensorrt")]
    public void CommittedModel_DynamicBatchAxisUpToEight_InManifestAndModel(string name)
    {
        var bundle = ModelBundle.Load(Path.Combine(AppContext.BaseDirectory, "models", name));
        var model = OnnxModel.Load(bundle.ModelPath);

        Assert.Equal(new BatchAxis(true, 8), bundle.Batch);
        string[] tensors = [bundle.InputName, bundle.OutputName, bundle.MapsName!];
        foreach (var tensor in tensors)
        {
            var value = model.Graph.Input.Concat(model.Graph.Output).Single(v => v.Name == tensor);
            Assert.Equal("N", value.Type.TensorType.Shape.Dim[0].DimParam);
        }
    }
}
