using System.Numerics.Tensors;
using Edge.Runtime.Bundles;

namespace Edge.Runtime.Preprocessing;

/// <summary>
/// Turns a packed BGR24 frame into the model's input tensor: resize (stretch, centre crop or letterbox, bilinear),
/// colour order, scale and mean/std (or a mean image), NCHW or NHWC. Sampling tables are built once per source
/// size and all buffers are reused, so a frame costs no allocation.
/// </summary>
public sealed class ImagePreprocessor
{
    private readonly PreprocessContract contract;
    private readonly int planeSize;
    private readonly float[] planes;
    private readonly float[] multiply = new float[3];
    private readonly float[] add = new float[3];
    private readonly int[] sourceChannelOf = new int[3];
    private AxisTable columns = AxisTable.Empty;
    private AxisTable rows = AxisTable.Empty;
    private int tableSourceWidth;
    private int tableSourceHeight;

    public ImagePreprocessor(PreprocessContract contract)
    {
        this.contract = contract;
        planeSize = contract.Width * contract.Height;
        planes = new float[planeSize * 3];
        for (var c = 0; c < 3; c++)
        {
            // The model's channel c comes from BGR channel 2 - c when the model wants RGB.
            sourceChannelOf[c] = contract.ColorOrder == ColorOrder.Bgr ? c : 2 - c;
            multiply[c] = contract.MeanImage is null ? contract.Scale / contract.Std[c] : contract.Scale;
            add[c] = contract.MeanImage is null ? -contract.Mean[c] / contract.Std[c] : 0;
        }
    }

    public int TensorLength => planeSize * 3;

    /// <summary>Fills <paramref name="tensor"/> (length <see cref="TensorLength"/>) from a BGR24 image.</summary>
    public void Process(ReadOnlySpan<byte> bgr, int width, int height, Span<float> tensor)
    {
        if (bgr.Length < width * height * 3)
        {
            throw new ArgumentException($"image of {width}x{height} needs {width * height * 3} bytes, got {bgr.Length}", nameof(bgr));
        }

        if (tensor.Length < TensorLength)
        {
            throw new ArgumentException($"tensor holds {tensor.Length} floats, {TensorLength} needed", nameof(tensor));
        }

        var target = contract.Layout == TensorLayout.Nchw ? tensor[..TensorLength] : planes.AsSpan();
        if (width == contract.Width && height == contract.Height)
        {
            Deinterleave(bgr, target);
        }
        else
        {
            EnsureTables(width, height);
            Resample(bgr, width, target);
        }

        Normalise(target);
        if (contract.Layout == TensorLayout.Nhwc)
        {
            Interleave(target, tensor);
        }
    }

    private void Deinterleave(ReadOnlySpan<byte> bgr, Span<float> target)
    {
        var p0 = target[..planeSize];
        var p1 = target.Slice(planeSize, planeSize);
        var p2 = target.Slice(2 * planeSize, planeSize);
        int s0 = sourceChannelOf[0], s1 = sourceChannelOf[1], s2 = sourceChannelOf[2];
        for (var i = 0; i < planeSize; i++)
        {
            var pixel = bgr.Slice(i * 3, 3);
            p0[i] = pixel[s0];
            p1[i] = pixel[s1];
            p2[i] = pixel[s2];
        }
    }

    private void Resample(ReadOnlySpan<byte> bgr, int sourceWidth, Span<float> target)
    {
        var fill = (float)contract.LetterboxFill;
        var stride = sourceWidth * 3;
        for (var y = 0; y < contract.Height; y++)
        {
            var row = rows.Entries[y];
            var rowOffset = y * contract.Width;
            for (var x = 0; x < contract.Width; x++)
            {
                var column = columns.Entries[x];
                var index = rowOffset + x;
                if (row.Outside || column.Outside)
                {
                    target[index] = fill;
                    target[planeSize + index] = fill;
                    target[(2 * planeSize) + index] = fill;
                    continue;
                }

                var top = row.Low * stride;
                var bottom = row.High * stride;
                var left = column.Low * 3;
                var right = column.High * 3;
                for (var c = 0; c < 3; c++)
                {
                    var s = sourceChannelOf[c];
                    var upper = bgr[top + left + s] + (column.Weight * (bgr[top + right + s] - bgr[top + left + s]));
                    var lower = bgr[bottom + left + s] + (column.Weight * (bgr[bottom + right + s] - bgr[bottom + left + s]));
                    target[(c * planeSize) + index] = upper + (row.Weight * (lower - upper));
                }
            }
        }
    }

    private void Normalise(Span<float> target)
    {
        for (var c = 0; c < 3; c++)
        {
            var plane = target.Slice(c * planeSize, planeSize);
            TensorPrimitives.Multiply(plane, multiply[c], plane);
            TensorPrimitives.Add(plane, add[c], plane);
            if (contract.MeanImage is { } meanImage)
            {
                TensorPrimitives.Subtract(plane, meanImage.AsSpan(c * planeSize, planeSize), plane);
                TensorPrimitives.Divide(plane, contract.Std[c], plane);
            }
        }
    }

    private void Interleave(ReadOnlySpan<float> source, Span<float> tensor)
    {
        for (var i = 0; i < planeSize; i++)
        {
            tensor[i * 3] = source[i];
            tensor[(i * 3) + 1] = source[planeSize + i];
            tensor[(i * 3) + 2] = source[(2 * planeSize) + i];
        }
    }

    private void EnsureTables(int sourceWidth, int sourceHeight)
    {
        if (sourceWidth == tableSourceWidth && sourceHeight == tableSourceHeight)
        {
            return;
        }

        double scaleX = (double)contract.Width / sourceWidth;
        double scaleY = (double)contract.Height / sourceHeight;
        switch (contract.Resize)
        {
            case ResizePolicy.CenterCrop:
                scaleX = scaleY = Math.Max(scaleX, scaleY);
                break;
            case ResizePolicy.Letterbox:
                scaleX = scaleY = Math.Min(scaleX, scaleY);
                break;
        }

        columns = AxisTable.Build(contract.Width, sourceWidth, scaleX);
        rows = AxisTable.Build(contract.Height, sourceHeight, scaleY);
        tableSourceWidth = sourceWidth;
        tableSourceHeight = sourceHeight;
    }

    /// <summary>For each output coordinate along one axis: the two source samples and the weight of the second.</summary>
    private readonly record struct AxisEntry(int Low, int High, float Weight, bool Outside);

    private sealed class AxisTable(AxisEntry[] entries)
    {
        public static readonly AxisTable Empty = new([]);

        public AxisEntry[] Entries { get; } = entries;

        /// <summary>Maps output pixel centres to source coordinates; the content is centred (crop or letterbox).</summary>
        public static AxisTable Build(int outputLength, int sourceLength, double scale)
        {
            var entries = new AxisEntry[outputLength];
            var offset = (outputLength - (sourceLength * scale)) / 2;
            for (var o = 0; o < outputLength; o++)
            {
                var position = ((o + 0.5 - offset) / scale) - 0.5;
                if (position < -0.5 || position > sourceLength - 0.5)
                {
                    entries[o] = new AxisEntry(0, 0, 0, Outside: true);
                    continue;
                }

                var clamped = Math.Clamp(position, 0, sourceLength - 1);
                var low = (int)Math.Floor(clamped);
                var high = Math.Min(low + 1, sourceLength - 1);
                entries[o] = new AxisEntry(low, high, (float)(clamped - low), Outside: false);
            }

            return new AxisTable(entries);
        }
    }
}
