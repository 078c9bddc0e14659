using System.Globalization;
using OpenCvSharp;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>
/// A V4L2 camera: <c>v4l2:/dev/video0</c> or <c>v4l2:0</c>, options <c>width</c>, <c>height</c>, <c>fps</c> and
/// <c>fourcc</c> (four characters such as MJPG or YUYV). The driver queue is cut to one buffer so that each read
/// returns a fresh image rather than one that waited in the queue.
/// </summary>
internal sealed class V4l2Source : CaptureSource
{
    private const string Expected = "expected a V4L2 device such as /dev/video0 (ls /dev/video*)";

    private readonly string device;
    private readonly int? index;
    private readonly int width;
    private readonly int height;
    private readonly double fps;
    private readonly string? fourcc;

    private V4l2Source(string description, string device, int? index, int width, int height, double fps, string? fourcc)
        : base(description)
    {
        this.device = device;
        this.index = index;
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.fourcc = fourcc;
    }

    public static V4l2Source Create(SourceSpec spec)
    {
        int? index = int.TryParse(spec.Target, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;
        var device = index is { } i ? $"/dev/video{i}" : spec.Target;
        var width = spec.GetInt("width", 0, 0, 16384);
        var height = spec.GetInt("height", 0, 0, 16384);
        var fps = spec.GetDouble("fps", 0, 0, 1000);
        var fourcc = spec.GetString("fourcc");
        if (fourcc is not null && fourcc.Length != 4)
        {
            throw new FrameSourceException(
                $"source option 'fourcc={fourcc}' in '{spec.Text}' is invalid: expected four characters such as MJPG or YUYV");
        }

        spec.RejectUnknownOptions();
        return new V4l2Source(spec.Text, device, index, width, height, fps, fourcc);
    }

    protected override VideoCapture OpenCapture()
    {
        if (!File.Exists(device))
        {
            throw new FrameSourceException($"cannot open camera {Description}: {device} does not exist; {Expected}");
        }

        var capture = new VideoCapture();
        try
        {
            var opened = index is { } i ? capture.Open(i, VideoCaptureAPIs.V4L2) : capture.Open(device, VideoCaptureAPIs.V4L2);
            if (!opened || !capture.IsOpened())
            {
                throw new FrameSourceException(
                    $"cannot open camera {Description}: {device} exists but did not open (in use by another program, "
                    + $"no permission - is the user in the 'video' group? - or not a capture device); {Expected}");
            }

            if (fourcc is not null)
            {
                capture.Set(VideoCaptureProperties.FourCC, FourCC.FromString(fourcc));
            }

            if (width > 0)
            {
                capture.Set(VideoCaptureProperties.FrameWidth, width);
            }

            if (height > 0)
            {
                capture.Set(VideoCaptureProperties.FrameHeight, height);
            }

            if (fps > 0)
            {
                capture.Set(VideoCaptureProperties.Fps, fps);
            }

            capture.Set(VideoCaptureProperties.BufferSize, 1);
            return capture;
        }
        catch
        {
            capture.Dispose();
            throw;
        }
    }
}
