using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>
/// An RTSP stream read by OpenCV's FFmpeg backend with low-latency settings: TCP transport, no input buffering,
/// low-delay decoding, a one-frame buffer, and open and read timeouts so a dead camera turns into a reconnect
/// rather than a hang. The password in the URL is masked in <see cref="IFrameSource.Description"/>.
/// </summary>
internal sealed partial class RtspSource : CaptureSource
{
    /// <summary>The FFmpeg options OpenCV reads from its environment; a value the user set wins.</summary>
    public const string CaptureOptionsVariable = "OPENCV_FFMPEG_CAPTURE_OPTIONS";
    public const string LowLatencyOptions = "rtsp_transport;tcp|fflags;nobuffer|flags;low_delay";
    public const int OpenTimeoutMs = 5000;
    public const int ReadTimeoutMs = 5000;

    // cv::CAP_PROP_OPEN_TIMEOUT_MSEC and cv::CAP_PROP_READ_TIMEOUT_MSEC, missing from OpenCvSharp's enum.
    private const int OpenTimeoutProperty = 53;
    private const int ReadTimeoutProperty = 54;

    private static readonly Lock EnvironmentGate = new();
    private readonly string url;

    private RtspSource(string description, string url)
        : base(description)
    {
        this.url = url;
    }

    public static RtspSource Create(SourceSpec spec)
    {
        spec.RejectUnknownOptions();
        return new RtspSource(Redact(spec.Target), spec.Target);
    }

    /// <summary>Masks the password of <c>rtsp://user:password@host/...</c> for logs and messages.</summary>
    public static string Redact(string url) => SourceSpec.MaskCredentials(url);

    protected override VideoCapture OpenCapture()
    {
        var capture = OpenWithLowLatencyOptions(url);
        if (!capture.IsOpened())
        {
            throw OpenFailed(
                capture,
                $"cannot open stream {Description}: no connection or no decodable video within {OpenTimeoutMs / 1000} s; "
                + "expected a reachable rtsp:// URL (check host, port, path and credentials)");
        }

        capture.Set(VideoCaptureProperties.BufferSize, 1);
        return capture;
    }

    /// <summary>
    /// Opens with <see cref="LowLatencyOptions"/> in OpenCV's environment variable for the duration of the open only:
    /// OpenCV reads it for every FFmpeg open in the process, and <c>low_delay</c> would make video files lose their last
    /// frame. A value the user set is left alone. OpenCV reads it with the C library's getenv, which
    /// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach on Unix, so the C library's copy
    /// is set too.
    /// </summary>
    private static VideoCapture OpenWithLowLatencyOptions(string url)
    {
        int[] parameters = [OpenTimeoutProperty, OpenTimeoutMs, ReadTimeoutProperty, ReadTimeoutMs];
        lock (EnvironmentGate)
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(CaptureOptionsVariable)) || !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
            {
                return new VideoCapture(url, VideoCaptureAPIs.FFMPEG, parameters);
            }

            _ = SetNativeEnvironment(CaptureOptionsVariable, LowLatencyOptions, overwrite: 1);
            try
            {
                return new VideoCapture(url, VideoCaptureAPIs.FFMPEG, parameters);
            }
            finally
            {
                _ = UnsetNativeEnvironment(CaptureOptionsVariable);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetNativeEnvironment(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "unsetenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnsetNativeEnvironment(string name);
}
