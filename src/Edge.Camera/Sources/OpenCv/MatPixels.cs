using Edge.Camera.Frames;
using OpenCvSharp;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>Copies an 8-bit grey, BGR or BGRA <see cref="Mat"/> into a frame's packed BGR24 buffer, allocation-free.</summary>
internal static class MatPixels
{
    public static unsafe void CopyToFrame(Mat mat, Frame target, string description)
    {
        var rows = mat.Rows;
        var cols = mat.Cols;
        var depth = mat.Depth();
        var channels = mat.Channels();
        if (depth != MatType.CV_8U || channels is not (1 or 3 or 4) || mat.Dims > 2)
        {
            throw new FrameSourceException(
                $"source '{description}' delivers {mat.Type()} pixels: expected 8-bit grey, BGR or BGRA images");
        }

        target.Resize(cols, rows);
        var step = mat.Step();
        var source = (byte*)mat.Data;
        var destination = target.PixelSpan;
        var rowBytes = cols * 3;
        if (channels == 3 && step == rowBytes)
        {
            new ReadOnlySpan<byte>(source, rows * rowBytes).CopyTo(destination);
            return;
        }

        for (var y = 0; y < rows; y++)
        {
            var input = new ReadOnlySpan<byte>(source + (y * step), cols * channels);
            var output = destination.Slice(y * rowBytes, rowBytes);
            switch (channels)
            {
                case 3:
                    input.CopyTo(output);
                    break;
                case 1:
                    for (int x = 0, o = 0; x < cols; x++, o += 3)
                    {
                        var grey = input[x];
                        output[o] = grey;
                        output[o + 1] = grey;
                        output[o + 2] = grey;
                    }

                    break;
                default:
                    for (int x = 0, i = 0, o = 0; x < cols; x++, i += 4, o += 3)
                    {
                        output[o] = input[i];
                        output[o + 1] = input[i + 1];
                        output[o + 2] = input[i + 2];
                    }

                    break;
            }
        }
    }
}
