using System.Runtime.CompilerServices;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>
/// Creates the sources that read through OpenCV (v4l2, file, gst, csi, usb-gst, images). Kept apart from
/// <see cref="FrameSources"/> so that only these methods mention OpenCvSharp types (see there why).
/// </summary>
public static class OpenCvSources
{
    /// <summary>
    /// Creates the OpenCV source for an already parsed spec (any scheme but synthetic), not yet opened. Throws
    /// <see cref="FrameSourceException"/> for a bad option or when OpenCV's native library cannot be loaded.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IFrameSource Create(SourceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        IFrameSource source = spec.Scheme switch
        {
            "v4l2" => V4l2Source.Create(spec),
            "file" => VideoFileSource.Create(spec),
            "gst" => GStreamerSource.Create(spec),
            "csi" => JetsonCameraSources.CreateCsi(spec),
            "usb-gst" => JetsonCameraSources.CreateUsb(spec),
            "images" => ImageFolderSource.Create(spec),
            _ => throw new FrameSourceException($"source '{SourceSpec.MaskCredentials(spec.Text)}' is not an OpenCV source: expected v4l2:, file:, gst:, csi:, usb-gst: or images:"),
        };
        EnsureNativeLibrary(spec);
        return source;
    }

    /// <summary>Fails with one clear line when OpenCV's native library cannot be loaded on this machine.</summary>
    internal static void EnsureNativeLibrary(SourceSpec spec)
    {
        var info = OpenCvInfo.TryLoad(out var reason);
        if (info is null)
        {
            throw new FrameSourceException(
                $"source '{SourceSpec.MaskCredentials(spec.Text)}' needs OpenCV, but its native library cannot be loaded ({reason}): "
                + "on linux-x64 install libgtk-3-0; on Jetson build OpenCvSharpExtern against JetPack's OpenCV, see docs/sources.md; "
                + "'synthetic' works without OpenCV");
        }
    }
}
