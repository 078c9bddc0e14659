using Edge.Quantize.Onnx;
using Edge.Quantize.Onnx.Proto;
using DataType = Edge.Quantize.Onnx.Proto.TensorProto.Types.DataType;

namespace Edge.Quantize.Tests.Onnx;

public sealed class OnnxTensorsTests
{
    [Fact]
    public void Float_WritesLittleEndianRawData_AndReadsItBack()
    {
        var tensor = OnnxTensors.Float("w", [1f, -2.5f, 0.125f, float.MaxValue, 0f, 3f], 2, 3);

        Assert.Equal((int)DataType.Float, tensor.DataType);
        Assert.Equal([2L, 3L], OnnxTensors.Dims(tensor));
        Assert.Equal([0x00, 0x00, 0x80, 0x3F], tensor.RawData.Span[..4].ToArray());
        Assert.Equal([1f, -2.5f, 0.125f, float.MaxValue, 0f, 3f], OnnxTensors.ReadFloats(tensor));
    }

    [Fact]
    public void Int8_Uint8_Int64_RoundTripThroughRawData()
    {
        Assert.Equal([-128, -1, 0, 127], OnnxTensors.ReadInt8s(OnnxTensors.Int8("a", [-128, -1, 0, 127], 4)));
        Assert.Equal([0, 128, 255], OnnxTensors.ReadUint8s(OnnxTensors.Uint8("b", [0, 128, 255], 3)));
        Assert.Equal([-1L, long.MaxValue], OnnxTensors.ReadInt64s(OnnxTensors.Int64("c", [-1, long.MaxValue], 2)));
    }

    [Fact]
    public void Scalars_HaveNoDims_AndOneElement()
    {
        var scale = OnnxTensors.FloatScalar("s", 0.5f);

        Assert.Empty(OnnxTensors.Dims(scale));
        Assert.Equal(1, OnnxTensors.ElementCount(scale));
        Assert.Equal([0.5f], OnnxTensors.ReadFloats(scale));
        Assert.Equal([(sbyte)-3], OnnxTensors.ReadInt8s(OnnxTensors.Int8Scalar("z", -3)));
        Assert.Equal([(byte)7], OnnxTensors.ReadUint8s(OnnxTensors.Uint8Scalar("u", 7)));
        Assert.Equal([42L], OnnxTensors.ReadInt64s(OnnxTensors.Int64Scalar("k", 42)));
    }

    [Fact]
    public void Readers_AcceptTypedFields_AsOtherExportersWriteThem()
    {
        var floats = new TensorProto { Name = "f", DataType = (int)DataType.Float, Dims = { 2 }, FloatData = { 1.5f, -2f } };
        var int8s = new TensorProto { Name = "i", DataType = (int)DataType.Int8, Dims = { 3 }, Int32Data = { -5, 0, 9 } };
        var uint8s = new TensorProto { Name = "u", DataType = (int)DataType.Uint8, Int32Data = { 200 } };

        Assert.Equal([1.5f, -2f], OnnxTensors.ReadFloats(floats));
        Assert.Equal([-5, 0, 9], OnnxTensors.ReadInt8s(int8s));
        Assert.Equal([(byte)200], OnnxTensors.ReadUint8s(uint8s));
    }

    [Fact]
    public void Create_ValuesNotMatchingDims_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => OnnxTensors.Float("w", [1f, 2f, 3f], 2, 2));

        Assert.Contains("'w' has 3 values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WrongType_NamesTensorAndExpectedType()
    {
        var error = Assert.Throws<QuantizeException>(() => OnnxTensors.ReadInt8s(OnnxTensors.Uint8Scalar("zp", 0)));

        Assert.Equal("tensor 'zp' is UINT8: expected INT8", error.Message);
    }

    [Fact]
    public void Read_RawDataOfWrongLength_SaysSo()
    {
        var tensor = OnnxTensors.Float("w", [1f, 2f], 2);
        tensor.Dims[0] = 3;

        var error = Assert.Throws<QuantizeException>(() => OnnxTensors.ReadFloats(tensor));

        Assert.Contains("8 bytes of raw data: expected 12", error.Message, StringComparison.Ordinal);
    }
}
