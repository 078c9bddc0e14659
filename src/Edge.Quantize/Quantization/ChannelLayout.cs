namespace Edge.Quantize.Quantization;

/// <summary>
/// A row-major tensor seen as [Outer, Channels, Inner] around one axis: channel c of outer slice o is the contiguous
/// block of Inner values starting at (o × Channels + c) × Inner.
/// </summary>
internal readonly record struct ChannelLayout(int Outer, int Channels, int Inner)
{
    public int BlockStart(int outer, int channel) => ((outer * Channels) + channel) * Inner;

    public static ChannelLayout Of(IReadOnlyList<long> shape, int axis, int valueCount)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var rank = shape.Count;
        if (axis < -rank || axis >= rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"expected an axis in [{-rank}, {rank}) of a rank-{rank} shape");
        }

        var channelAxis = axis < 0 ? axis + rank : axis;
        if (shape.Any(dimension => dimension < 0))
        {
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] has a negative dimension: expected a static shape", nameof(shape));
        }

        var outer = Product(shape.Take(channelAxis));
        var channels = shape[channelAxis];
        var inner = Product(shape.Skip(channelAxis + 1));
        if (Product(shape) != valueCount || channels > int.MaxValue)
        {
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] does not describe {valueCount} values", nameof(shape));
        }

        return new ChannelLayout((int)outer, (int)channels, (int)inner);
    }

    /// <summary>Products are capped just above int.MaxValue so a huge shape is reported as a mismatch, not an overflow.</summary>
    private static long Product(IEnumerable<long> dimensions)
    {
        const long Cap = (long)int.MaxValue + 1;
        long product = 1;
        foreach (var dimension in dimensions)
        {
            product = dimension == 0 ? 0 : Math.Min(Cap, product * Math.Min(dimension, Cap));
        }

        return product;
    }
}
