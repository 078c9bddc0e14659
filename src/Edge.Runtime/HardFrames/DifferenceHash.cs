using System.Numerics;

namespace Edge.Runtime.HardFrames;

/// <summary>
/// 64-bit difference hash (dHash) of a BGR24 image: box-average it down to 9x8 grey, then one bit per pair of
/// horizontal neighbours (set when the left one is brighter). Near-identical images differ in few bits.
/// </summary>
internal static class DifferenceHash
{
    private const int Columns = 9;
    private const int Rows = 8;

    public static ulong Compute(ReadOnlySpan<byte> bgr, int width, int height)
    {
        if (bgr.Length < width * height * 3)
        {
            throw new ArgumentException($"{bgr.Length} bytes for a {width}x{height} BGR24 image: expected at least {width * height * 3}", nameof(bgr));
        }

        Span<long> grey = stackalloc long[Columns * Rows];
        for (var cy = 0; cy < Rows; cy++)
        {
            var y0 = cy * height / Rows;
            var y1 = Math.Max((cy + 1) * height / Rows, y0 + 1);
            for (var cx = 0; cx < Columns; cx++)
            {
                var x0 = cx * width / Columns;
                var x1 = Math.Max((cx + 1) * width / Columns, x0 + 1);
                long sum = 0;
                for (var y = y0; y < y1; y++)
                {
                    var pixels = bgr.Slice(((y * width) + x0) * 3, (x1 - x0) * 3);
                    for (var p = 0; p < pixels.Length; p += 3)
                    {
                        // ITU-R BT.601 luma in 1/256 steps: 0.114 B + 0.587 G + 0.299 R.
                        sum += (29 * pixels[p]) + (150 * pixels[p + 1]) + (77 * pixels[p + 2]);
                    }
                }

                // Mean luma of the box, with 8 more fractional bits so that close boxes still compare.
                grey[(cy * Columns) + cx] = (sum << 8) / ((y1 - y0) * (x1 - x0));
            }
        }

        ulong hash = 0;
        var bit = 0;
        for (var cy = 0; cy < Rows; cy++)
        {
            for (var cx = 0; cx < Columns - 1; cx++, bit++)
            {
                if (grey[(cy * Columns) + cx] > grey[(cy * Columns) + cx + 1])
                {
                    hash |= 1UL << bit;
                }
            }
        }

        return hash;
    }

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);
}
