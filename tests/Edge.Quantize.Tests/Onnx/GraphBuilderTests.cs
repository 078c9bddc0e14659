using Edge.Quantize.Onnx;
using Edge.Quantize.Onnx.Proto;
using AttributeType = Edge.Quantize.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace Edge.Quantize.Tests.Onnx;

public sealed class GraphBuilderTests
{
    [Fact]
    public void ToModel_ImportsOpset13_WithIrVersion7_ByDefault()
    {
        var model = Relu().ToModel();

        Assert.Equal(7, model.IrVersion);
        Assert.Equal(13, OnnxModel.Opset(model));
    }

    [Fact]
    public void ToModel_CopiesTheGraph_SoLaterAdditionsDoNotLeakIntoIt()
    {
        var builder = Relu();
        var model = builder.ToModel(opset: 11);

        builder.AddNode("late", "Identity", ["y"], ["z"]);

        Assert.Equal(11, OnnxModel.Opset(model));
        Assert.Single(model.Graph.Node);
    }

    [Fact]
    public void AddInput_DeclaresFloatTensorWithShape()
    {
        var input = new GraphBuilder("g").AddInput("x", 1, 3, 8, 8);

        Assert.Equal((int)TensorProto.Types.DataType.Float, input.Type.TensorType.ElemType);
        Assert.Equal([1L, 3L, 8L, 8L], input.Type.TensorType.Shape.Dim.Select(d => d.DimValue));
    }

    [Fact]
    public void AddNode_CarriesAttributesOfEveryKind()
    {
        var node = new GraphBuilder("g").AddNode(
            "n", "Custom", ["x"], ["y"],
            OnnxAttributes.Int("axis", 0),
            OnnxAttributes.Ints("pads", 1, 1, 0, 0),
            OnnxAttributes.Float("alpha", 0.1f),
            OnnxAttributes.Floats("scales", 1f, 2f),
            OnnxAttributes.String("mode", "nearest"));

        Assert.Equal(
            [AttributeType.Int, AttributeType.Ints, AttributeType.Float, AttributeType.Floats, AttributeType.String],
            node.Attribute.Select(a => a.Type));
        Assert.Equal(0, OnnxAttributes.GetInt(node, "axis", fallback: 1));
        Assert.Equal(1, OnnxAttributes.GetInt(node, "absent", fallback: 1));
        Assert.Equal([1L, 1L, 0L, 0L], OnnxAttributes.GetInts(node, "pads"));
        Assert.Equal(0.1f, OnnxAttributes.GetFloat(node, "alpha", fallback: 0f));
        Assert.Equal("nearest", OnnxAttributes.GetString(node, "mode"));
    }

    [Fact]
    public void AddNode_NameAlreadyUsed_Throws()
    {
        var builder = Relu();

        var error = Assert.Throws<ArgumentException>(() => builder.AddNode("relu", "Relu", ["x"], ["y2"]));

        Assert.Contains("'relu' is already used", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplaceInitializer_KeepsPosition_AndRejectsUnknownNames()
    {
        var builder = new GraphBuilder("g");
        builder.AddInitializer(OnnxTensors.FloatScalar("a", 1f));
        builder.AddInitializer(OnnxTensors.FloatScalar("b", 2f));

        builder.ReplaceInitializer(OnnxTensors.Int8Scalar("a", 5));

        Assert.Equal(["a", "b"], builder.Graph.Initializer.Select(t => t.Name));
        Assert.Equal([(sbyte)5], OnnxTensors.ReadInt8s(builder.Graph.Initializer[0]));
        Assert.Throws<ArgumentException>(() => builder.ReplaceInitializer(OnnxTensors.FloatScalar("c", 0f)));
    }

    [Fact]
    public void UniqueName_OnAnExistingGraph_AvoidsItsNames()
    {
        var builder = new GraphBuilder(Relu().Graph);

        Assert.Equal("y_2", builder.UniqueName("y"));
        Assert.Equal("relu_2", builder.UniqueName("relu"));
        Assert.Equal("fresh", builder.UniqueName("fresh"));
    }

    [Fact]
    public void GraphIndex_FindsProducersConsumersAndConstants()
    {
        var builder = new GraphBuilder("g");
        builder.AddInput("x", 1, 4);
        builder.AddInitializer(OnnxTensors.FloatScalar("two", 2f));
        var constant = builder.AddNode("const", "Constant", [], ["three"]);
        constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeType.Tensor, T = OnnxTensors.FloatScalar("", 3f) });
        var mul = builder.AddNode("mul", "Mul", ["x", "two"], ["xm"]);
        var add = builder.AddNode("add", "Add", ["xm", "three"], ["y"]);
        var clip = builder.AddNode("clip", "Clip", ["xm", "", "three"], ["c"]);
        builder.AddOutput("y", 1, 4);

        var index = new GraphIndex(builder.Graph);

        Assert.Same(mul, index.Producer("xm"));
        Assert.Null(index.Producer("x"));
        Assert.Equal([new TensorUse(add, 0), new TensorUse(clip, 0)], index.Consumers("xm"));
        Assert.Equal([new TensorUse(add, 1), new TensorUse(clip, 2)], index.Consumers("three"));
        Assert.Empty(index.Consumers("y"));
        Assert.Equal([2f], OnnxTensors.ReadFloats(index.Constant("two")!));
        Assert.Equal([3f], OnnxTensors.ReadFloats(index.Constant("three")!));
        Assert.Null(index.Constant("xm"));
        Assert.Null(index.Initializer("three"));
        Assert.True(index.IsGraphOutput("y"));
    }

    private static GraphBuilder Relu()
    {
        var builder = new GraphBuilder("relu");
        builder.AddInput("x", 1, 4);
        builder.AddNode("relu", "Relu", ["x"], ["y"]);
        builder.AddOutput("y", 1, 4);
        return builder;
    }
}
