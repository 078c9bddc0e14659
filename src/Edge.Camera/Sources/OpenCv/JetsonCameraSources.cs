using System.Globalization;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>
/// <c>csi:N</c> and <c>usb-gst:/dev/videoN</c>: Jetson camera presets that build a pipeline with
/// <see cref="JetsonCameraPipelines"/> and open it as a <see cref="GStreamerSource"/>. Options are checked here,
/// against the same ranges, so a bad value is reported as the option the user wrote rather than as a parameter name.
/// </summary>
internal static class JetsonCameraSources
{
    public static GStreamerSource CreateCsi(SourceSpec spec)
    {
        if (!int.TryParse(spec.Target, NumberStyles.None, CultureInfo.InvariantCulture, out var sensorId) || sensorId > JetsonCameraPipelines.MaxSensorId)
        {
            throw new FrameSourceException(
                $"source '{spec.Text}' has an invalid sensor id '{spec.Target}': expected csi:N with N from 0 to {JetsonCameraPipelines.MaxSensorId}");
        }

        var (width, height, fps) = ReadFormat(spec);
        var flip = spec.GetInt("flip", 0, 0, JetsonCameraPipelines.MaxFlipMethod);
        spec.RejectUnknownOptions();
        return GStreamerSource.ForPipeline(spec.Text, JetsonCameraPipelines.Csi(sensorId, width, height, fps, flip));
    }

    public static GStreamerSource CreateUsb(SourceSpec spec)
    {
        var device = DevicePath(spec);
        var (width, height, fps) = ReadFormat(spec);
        var decoder = spec.GetString("decoder")?.ToLowerInvariant() switch
        {
            null or "hw" => JetsonJpegDecoder.Hardware,
            "software" => JetsonJpegDecoder.Software,
            var other => throw new FrameSourceException(
                $"source option 'decoder={other}' in '{spec.Text}' is invalid: expected hw (nvv4l2decoder) or software (jpegdec)"),
        };
        spec.RejectUnknownOptions();
        return GStreamerSource.ForPipeline(spec.Text, JetsonCameraPipelines.Usb(device, width, height, fps, decoder));
    }

    private static string DevicePath(SourceSpec spec)
    {
        if (int.TryParse(spec.Target, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= JetsonCameraPipelines.MaxDeviceIndex)
        {
            return $"/dev/video{index}";
        }

        if (JetsonCameraPipelines.IsSafeDevicePath(spec.Target))
        {
            return spec.Target;
        }

        throw new FrameSourceException(
            $"source '{spec.Text}' has an invalid device '{spec.Target}': expected usb-gst:/dev/videoN or usb-gst:N with N from 0 to {JetsonCameraPipelines.MaxDeviceIndex}");
    }

    private static (int Width, int Height, int Fps) ReadFormat(SourceSpec spec) => (
        spec.GetInt("width", JetsonCameraPipelines.DefaultWidth, JetsonCameraPipelines.MinSize, JetsonCameraPipelines.MaxSize),
        spec.GetInt("height", JetsonCameraPipelines.DefaultHeight, JetsonCameraPipelines.MinSize, JetsonCameraPipelines.MaxSize),
        spec.GetInt("fps", JetsonCameraPipelines.DefaultFps, JetsonCameraPipelines.MinFps, JetsonCameraPipelines.MaxFps));
}
