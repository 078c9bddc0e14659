namespace Edge.Camera.Sources.Network;

/// <summary>
/// The GStreamer pipelines that read network streams. The source element is named <see cref="SourceName"/> and has no
/// location in the description: <see cref="NetworkStreamSource"/> sets it (and the credentials) as properties.
/// </summary>
public static class NetworkPipelines
{
    public const string SourceName = "source";
    public const string SinkName = "sink";

    /// <summary>How late (against the pipeline clock, from the stream's timestamps) a frame may be and still be read.</summary>
    public const long MaxLatenessNanoseconds = 250_000_000;

    /// <summary>
    /// The pipeline for <paramref name="scheme"/> (rtsp). RTSP runs over TCP (no lost packets, passes NAT and
    /// firewalls) with no jitter-buffer latency and takes only the video track, so a camera with audio links its
    /// video; decodebin picks the highest-ranked decoder, a hardware one on Jetson, whose NVMM frames nvvidconv
    /// copies out. The appsink holds one frame and drops older ones, and it drops frames more than
    /// <see cref="MaxLatenessNanoseconds"/> behind the clock: after a network stall a camera sends the frames it made
    /// meanwhile in a burst, and those would otherwise be read one after another as if they were new.
    /// </summary>
    public static string Describe(string scheme, bool nvidiaConverter)
    {
        if (scheme != "rtsp")
        {
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "only rtsp streams have a pipeline");
        }

        var source = $"rtspsrc name={SourceName} protocols=tcp latency=0 ! application/x-rtp,media=video";
        var convert = nvidiaConverter ? "nvvidconv ! video/x-raw,format=BGRx ! videoconvert" : "videoconvert";
        return $"{source} ! decodebin ! {convert} ! video/x-raw,format=BGR ! appsink name={SinkName} drop=true max-buffers=1 sync=true max-lateness={MaxLatenessNanoseconds} enable-last-sample=false";
    }
}
