namespace Edge.Runtime.Decoding;

/// <summary>Where a label's activation peaks, normalised to the model input (0..1, origin top left).</summary>
public readonly record struct LabelLocation(float X, float Y, float Left, float Top, float Right, float Bottom);

/// <summary>
/// Coarse locations of active labels from per-label class activation maps (<c>[labels, height, width]</c>, as a
/// CSRA head emits them): the centre of the peak cell, and the box around the cells that reach at least half of the
/// way from the map's minimum to its peak. Grid resolution is the backbone's stride (32 px at 224 → a 7×7 grid).
/// Buffers are sized once; locating allocates nothing.
/// </summary>
public sealed class LabelLocator
{
    private readonly int labels;
    private readonly int height;
    private readonly int width;
    private readonly LabelLocation[] locations;

    public LabelLocator(int labels, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        this.labels = labels;
        this.height = height;
        this.width = width;
        locations = new LabelLocation[labels];
    }

    /// <summary>The location of <paramref name="label"/> found by the last <see cref="Locate"/> (valid for active labels).</summary>
    public LabelLocation this[int label] => locations[label];

    public void Locate(ReadOnlySpan<float> maps, ReadOnlySpan<int> active)
    {
        var cells = height * width;
        if (maps.Length < labels * cells)
        {
            throw new ArgumentException($"maps hold {maps.Length} values, {labels * cells} needed", nameof(maps));
        }

        foreach (var label in active)
        {
            var map = maps.Slice(label * cells, cells);
            var peak = 0;
            var minimum = map[0];
            for (var i = 1; i < cells; i++)
            {
                if (map[i] > map[peak])
                {
                    peak = i;
                }

                minimum = Math.Min(minimum, map[i]);
            }

            var cut = minimum + (0.5f * (map[peak] - minimum));
            int top = height, left = width, bottom = -1, right = -1;
            for (var i = 0; i < cells; i++)
            {
                if (map[i] >= cut)
                {
                    var row = i / width;
                    var column = i % width;
                    top = Math.Min(top, row);
                    bottom = Math.Max(bottom, row);
                    left = Math.Min(left, column);
                    right = Math.Max(right, column);
                }
            }

            locations[label] = new LabelLocation(
                ((peak % width) + 0.5f) / width,
                ((peak / width) + 0.5f) / height,
                (float)left / width,
                (float)top / height,
                (float)(right + 1) / width,
                (float)(bottom + 1) / height);
        }
    }
}
