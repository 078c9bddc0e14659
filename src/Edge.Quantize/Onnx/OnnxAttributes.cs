using Edge.Quantize.Onnx.Proto;
using Google.Protobuf;
using AttributeType = Edge.Quantize.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace Edge.Quantize.Onnx;

/// <summary>Creates node attributes and reads them with ONNX's defaults for absent ones.</summary>
internal static class OnnxAttributes
{
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeType.Float, F = value };

    public static AttributeProto Floats(string name, params float[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeType.Floats };
        attribute.Floats.Add(values);
        return attribute;
    }

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto? Find(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    public static long GetInt(NodeProto node, string name, long fallback) =>
        Find(node, name) is { } attribute ? Require(node, attribute, AttributeType.Int).I : fallback;

    public static float GetFloat(NodeProto node, string name, float fallback) =>
        Find(node, name) is { } attribute ? Require(node, attribute, AttributeType.Float).F : fallback;

    public static long[] GetInts(NodeProto node, string name) =>
        Find(node, name) is { } attribute ? [.. Require(node, attribute, AttributeType.Ints).Ints] : [];

    public static string? GetString(NodeProto node, string name) =>
        Find(node, name) is { } attribute ? Require(node, attribute, AttributeType.String).S.ToStringUtf8() : null;

    private static AttributeProto Require(NodeProto node, AttributeProto attribute, AttributeType expected) =>
        attribute.Type == expected
            ? attribute
            : throw new QuantizeException(
                $"{node.OpType} '{node.Name}' has attribute '{attribute.Name}' of type {attribute.Type}: expected {expected}");
}
