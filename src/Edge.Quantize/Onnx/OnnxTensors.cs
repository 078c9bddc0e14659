using System.Buffers.Binary;
using Edge.Quantize.Onnx.Proto;
using Google.Protobuf;
using DataType = Edge.Quantize.Onnx.Proto.TensorProto.Types.DataType;

namespace Edge.Quantize.Onnx;

/// <summary>
/// Creates initializers and reads their values back. Writers always use raw_data; readers also accept the typed
/// fields (float_data, int32_data, int64_data), because exporters and other tools use either.
/// </summary>
internal static class OnnxTensors
{
    public static TensorProto Float(string name, float[] values, params long[] dims)
    {
        var raw = new byte[checked(values.Length * sizeof(float))];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }

        return Create(name, DataType.Float, raw, values.Length, dims);
    }

    public static TensorProto Int8(string name, sbyte[] values, params long[] dims) =>
        Create(name, DataType.Int8, Array.ConvertAll(values, v => unchecked((byte)v)), values.Length, dims);

    public static TensorProto Uint8(string name, byte[] values, params long[] dims) =>
        Create(name, DataType.Uint8, (byte[])values.Clone(), values.Length, dims);

    public static TensorProto Int64(string name, long[] values, params long[] dims)
    {
        var raw = new byte[checked(values.Length * sizeof(long))];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
        }

        return Create(name, DataType.Int64, raw, values.Length, dims);
    }

    public static TensorProto Int32(string name, int[] values, params long[] dims)
    {
        var raw = new byte[checked(values.Length * sizeof(int))];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(i * sizeof(int)), values[i]);
        }

        return Create(name, DataType.Int32, raw, values.Length, dims);
    }

    public static TensorProto FloatScalar(string name, float value) => Float(name, [value]);

    public static TensorProto Int8Scalar(string name, sbyte value) => Int8(name, [value]);

    public static TensorProto Uint8Scalar(string name, byte value) => Uint8(name, [value]);

    public static TensorProto Int64Scalar(string name, long value) => Int64(name, [value]);

    public static long[] Dims(TensorProto tensor) => [.. tensor.Dims];

    /// <summary>The number of elements the dims describe: 1 for a scalar (no dims).</summary>
    public static long ElementCount(TensorProto tensor) => tensor.Dims.Aggregate(1L, (count, dim) => checked(count * dim));

    public static DataType TypeOf(TensorProto tensor) => (DataType)tensor.DataType;

    /// <summary>The ONNX spelling of a tensor element type (FLOAT, INT8, …), for messages.</summary>
    public static string TypeName(int dataType) =>
        Enum.IsDefined((DataType)dataType) ? ((DataType)dataType).ToString().ToUpperInvariant() : $"type {dataType}";

    public static float[] ReadFloats(TensorProto tensor)
    {
        RequireType(tensor, DataType.Float);
        if (tensor.HasRawData)
        {
            var raw = RawOfLength(tensor, sizeof(float));
            var values = new float[raw.Length / sizeof(float)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
            }

            return values;
        }

        return RequireCount(tensor, [.. tensor.FloatData]);
    }

    public static sbyte[] ReadInt8s(TensorProto tensor)
    {
        RequireType(tensor, DataType.Int8);
        if (tensor.HasRawData)
        {
            return Array.ConvertAll(RawOfLength(tensor, sizeof(sbyte)).ToArray(), b => unchecked((sbyte)b));
        }

        // ONNX stores 8-bit elements one per int32_data entry when raw_data is absent.
        return RequireCount(tensor, tensor.Int32Data.Select(v => (sbyte)InRange(tensor, v, sbyte.MinValue, sbyte.MaxValue)).ToArray());
    }

    public static byte[] ReadUint8s(TensorProto tensor)
    {
        RequireType(tensor, DataType.Uint8);
        if (tensor.HasRawData)
        {
            return RawOfLength(tensor, sizeof(byte)).ToArray();
        }

        return RequireCount(tensor, tensor.Int32Data.Select(v => (byte)InRange(tensor, v, byte.MinValue, byte.MaxValue)).ToArray());
    }

    public static long[] ReadInt64s(TensorProto tensor)
    {
        RequireType(tensor, DataType.Int64);
        if (tensor.HasRawData)
        {
            var raw = RawOfLength(tensor, sizeof(long));
            var values = new long[raw.Length / sizeof(long)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(i * sizeof(long))..]);
            }

            return values;
        }

        return RequireCount(tensor, [.. tensor.Int64Data]);
    }

    private static TensorProto Create(string name, DataType type, byte[] raw, int count, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.Add(dims);
        if (ElementCount(tensor) != count)
        {
            throw new ArgumentException(
                $"initializer '{name}' has {count} values but dims [{string.Join(", ", dims)}] hold {ElementCount(tensor)}", nameof(dims));
        }

        return tensor;
    }

    private static void RequireType(TensorProto tensor, DataType expected)
    {
        if (tensor.DataType != (int)expected)
        {
            throw new QuantizeException(
                $"tensor '{tensor.Name}' is {TypeName(tensor.DataType)}: expected {TypeName((int)expected)}");
        }
    }

    private static ReadOnlySpan<byte> RawOfLength(TensorProto tensor, int elementSize)
    {
        var raw = tensor.RawData.Span;
        if (raw.Length != ElementCount(tensor) * elementSize)
        {
            throw new QuantizeException(
                $"tensor '{tensor.Name}' has {raw.Length} bytes of raw data: expected {ElementCount(tensor) * elementSize} for dims [{string.Join(", ", tensor.Dims)}]");
        }

        return raw;
    }

    private static int InRange(TensorProto tensor, int value, int min, int max) =>
        value >= min && value <= max
            ? value
            : throw new QuantizeException(
                $"tensor '{tensor.Name}' holds {value} in int32_data: expected a {TypeName(tensor.DataType)} value in [{min}, {max}]");

    private static T[] RequireCount<T>(TensorProto tensor, T[] values)
    {
        if (values.Length != ElementCount(tensor))
        {
            throw new QuantizeException(
                $"tensor '{tensor.Name}' has {values.Length} values: expected {ElementCount(tensor)} for dims [{string.Join(", ", tensor.Dims)}]");
        }

        return values;
    }
}
