using static System.FormattableString;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>How a USB camera's MJPEG stream is decoded on a Jetson.</summary>
public enum JetsonJpegDecoder
{
    /// <summary>The NVJPG engine through <c>nvv4l2decoder mjpeg=1</c>: leaves the CPU free for the frame loop.</summary>
    Hardware,

    /// <summary><c>jpegdec</c> on the CPU: for JetPack images whose nvv4l2decoder rejects a camera's JPEG variant.</summary>
    Software,
}

/// <summary>
/// GStreamer pipelines for Jetson cameras that end in an appsink delivering BGR, as OpenCV's GStreamer backend
/// expects. The appsink keeps one buffer and drops the rest, so a slow frame loop always gets the newest image.
/// </summary>
public static class JetsonCameraPipelines
{
    public const int MaxSensorId = 7;
    public const int MaxDeviceIndex = 63;
    public const int MinSize = 32;
    public const int MaxSize = 8192;
    public const int MinFps = 1;
    public const int MaxFps = 240;
    public const int MaxFlipMethod = 7;

    public const int DefaultWidth = 1280;
    public const int DefaultHeight = 720;
    public const int DefaultFps = 30;

    private const string BgrAppSink = "videoconvert ! video/x-raw,format=BGR ! appsink drop=true max-buffers=1 sync=false";

    /// <summary>
    /// A CSI camera through the Argus ISP (<c>nvarguscamerasrc</c>), scaled and rotated on the VIC by
    /// <c>nvvidconv</c>. <paramref name="flipMethod"/> is nvvidconv's: 0 none, 1 counter-clockwise 90°, 2 180°,
    /// 3 clockwise 90°, 4 horizontal, 5 upper-right diagonal, 6 vertical, 7 upper-left diagonal.
    /// </summary>
    public static string Csi(int sensorId = 0, int width = DefaultWidth, int height = DefaultHeight, int fps = DefaultFps, int flipMethod = 0)
    {
        RequireRange(sensorId, 0, MaxSensorId, nameof(sensorId));
        RequireFormat(width, height, fps);
        RequireRange(flipMethod, 0, MaxFlipMethod, nameof(flipMethod));
        var source = Invariant($"nvarguscamerasrc sensor-id={sensorId} ! video/x-raw(memory:NVMM),width={width},height={height},framerate={fps}/1,format=NV12");
        return Invariant($"{source} ! nvvidconv flip-method={flipMethod} ! video/x-raw,format=BGRx ! {BgrAppSink}");
    }

    /// <summary>
    /// A USB (UVC) camera asked for MJPEG, which is what lets most USB 2 cameras reach 720p30 and above.
    /// </summary>
    /// <param name="device">A V4L2 device path such as <c>/dev/video0</c>.</param>
    /// <param name="width">Frame width asked of the camera, in pixels.</param>
    /// <param name="height">Frame height asked of the camera, in pixels.</param>
    /// <param name="fps">Frame rate asked of the camera.</param>
    /// <param name="decoder">Which JPEG decoder turns the camera's MJPEG into BGR frames.</param>
    public static string Usb(string device = "/dev/video0", int width = DefaultWidth, int height = DefaultHeight, int fps = DefaultFps, JetsonJpegDecoder decoder = JetsonJpegDecoder.Hardware)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!IsSafeDevicePath(device))
        {
            throw new ArgumentException($"device '{device}' is invalid: expected a path such as /dev/video0 (letters, digits, '/', '_', '.', '-')", nameof(device));
        }

        RequireFormat(width, height, fps);
        var decode = decoder switch
        {
            JetsonJpegDecoder.Hardware => "nvv4l2decoder mjpeg=1 ! nvvidconv ! video/x-raw,format=BGRx",
            JetsonJpegDecoder.Software => "jpegdec",
            _ => throw new ArgumentOutOfRangeException(nameof(decoder), decoder, "expected Hardware or Software"),
        };
        return Invariant($"v4l2src device={device} ! image/jpeg,width={width},height={height},framerate={fps}/1 ! {decode} ! {BgrAppSink}");
    }

    /// <summary>
    /// True for a path that can stand unquoted in a pipeline: '!', spaces and quotes would split or break it.
    /// </summary>
    public static bool IsSafeDevicePath(string device) =>
        device.StartsWith('/') && device.Length > 1 && device.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '.' or '-');

    private static void RequireFormat(int width, int height, int fps)
    {
        RequireRange(width, MinSize, MaxSize, nameof(width));
        RequireRange(height, MinSize, MaxSize, nameof(height));
        RequireRange(fps, MinFps, MaxFps, nameof(fps));
    }

    private static void RequireRange(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, Invariant($"{name} {value} is out of range: expected {min} to {max}"));
        }
    }
}
