namespace Edge.Camera.Sources.Network;

/// <summary>
/// The GStreamer pipelines that read network streams. The source element is named <see cref="SourceName"/> and has no
/// location in the description: <see cref="NetworkStreamSource"/> sets it (and the credentials) as properties.
/// </summary>
public static class NetworkPipelines
{
    public const string SourceName = "source";
    public const string SinkName = "sink";

    /// <summary>
    /// The pipeline for <paramref name="scheme"/> (rtsp, or http for MJPEG as multipart/x-mixed-replace, which decodebin
    /// does not recognise by itself). RTSP runs over TCP (no lost packets, passes NAT and
    /// firewalls) with no jitter-buffer latency and takes only the video track, so a camera with audio links its
    /// video; decodebin picks the highest-ranked decoder, a hardware one on Jetson, whose NVMM frames nvvidconv
    /// copies out. The appsink holds one frame and drops older ones.
    /// </summary>
    public static string Describe(string scheme, bool nvidiaConverter)
    {
        var source = scheme == "rtsp"
            ? $"rtspsrc name={SourceName} protocols=tcp latency=0 ! application/x-rtp,media=video"
            : $"souphttpsrc name={SourceName} is-live=true ! multipartdemux";
        var convert = nvidiaConverter ? "nvvidconv ! video/x-raw,format=BGRx ! videoconvert" : "videoconvert";
        return $"{source} ! decodebin ! {convert} ! video/x-raw,format=BGR ! appsink name={SinkName} drop=true max-buffers=1 sync=false enable-last-sample=false";
    }
}
