namespace Edge.Camera.Sources.Network;

/// <summary>
/// GStreamer on this machine: loaded and initialised once, with its version and which of the elements network streams
/// need are installed. Network streams are decoded by GStreamer's own libraries (not through OpenCV), because the
/// FFmpeg inside the official OpenCvSharp runtime has no network protocols at all (see docs/sources.md).
/// </summary>
public sealed class GStreamerLibrary
{
    /// <summary>The Debian/Ubuntu packages that provide everything rtsp:// streams need.</summary>
    public const string Packages = "libgstreamer1.0-0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav";

    /// <summary>H.264 and H.265 decoders in order of preference: decodebin picks by rank, this only reports.</summary>
    private static readonly string[] H264Decoders = ["nvv4l2decoder", "v4l2h264dec", "avdec_h264", "openh264dec"];
    private static readonly string[] H265Decoders = ["nvv4l2decoder", "v4l2h265dec", "avdec_h265"];

    private static readonly Lock Gate = new();
    private static bool attempted;
    private static GStreamerLibrary? loaded;
    private static string? failure;

    private GStreamerLibrary(string version, Func<string, bool> has)
    {
        Version = version;
        HasRtsp = has("rtspsrc");
        HasCore = has("decodebin") && has("videoconvert") && has("appsink");
        HasNvidiaConverter = has("nvvidconv");
        H264Decoder = Array.Find(H264Decoders, d => has(d));
        H265Decoder = Array.Find(H265Decoders, d => has(d));
    }

    /// <summary>GStreamer's version, e.g. "1.22.0".</summary>
    public string Version { get; }

    /// <summary>rtspsrc (gstreamer1.0-plugins-good).</summary>
    public bool HasRtsp { get; }

    /// <summary>decodebin, videoconvert and appsink (gstreamer1.0-plugins-base).</summary>
    public bool HasCore { get; }

    /// <summary>Jetson's nvvidconv: decoders there deliver frames in NVMM memory, which it copies out.</summary>
    public bool HasNvidiaConverter { get; }

    public string? H264Decoder { get; }

    public string? H265Decoder { get; }

    /// <summary>Loads and initialises GStreamer, or returns null with the one-line reason.</summary>
    public static GStreamerLibrary? TryLoad(out string? reason)
    {
        lock (Gate)
        {
            if (!attempted)
            {
                attempted = true;
                try
                {
                    loaded = Initialise();
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
                {
                    failure = $"GStreamer's libraries are not installed ({FirstLine(e.Message)}): install {Packages}";
                }
            }

            reason = failure;
            return loaded;
        }
    }

    /// <summary>What is missing for <paramref name="scheme"/> streams (rtsp), or null when they can be opened.</summary>
    public string? MissingFor(string scheme)
    {
        if (!HasCore)
        {
            return "GStreamer's base plugins (decodebin, videoconvert, appsink) are missing: install gstreamer1.0-plugins-base";
        }

        return scheme switch
        {
            "rtsp" when !HasRtsp => "GStreamer's rtspsrc is missing: install gstreamer1.0-plugins-good",
            "rtsp" when H264Decoder is null && H265Decoder is null => "GStreamer has no H.264 or H.265 decoder: install gstreamer1.0-libav",
            _ => null,
        };
    }

    /// <summary>One line for <c>edge info</c>: what this GStreamer can decode for a scheme.</summary>
    public string Describe(string scheme)
    {
        var missing = MissingFor(scheme);
        if (missing is not null)
        {
            return $"unavailable: {missing}";
        }

        return $"GStreamer {Version} (rtspsrc; H.264 {H264Decoder ?? "none"}, H.265 {H265Decoder ?? "none"})";
    }

    private static GStreamerLibrary Initialise()
    {
        // GStreamer would trap SIGSEGV while it loads plugins; .NET uses that signal for null references.
        Gst.SetSegmentationTrap(false);
        if (!Gst.InitCheck(0, 0, out var error))
        {
            var (_, _, message) = Gst.TakeError(error);
            throw new DllNotFoundException($"gst_init failed: {message}");
        }

        Gst.Version(out var major, out var minor, out var micro, out _);
        return new GStreamerLibrary($"{major}.{minor}.{micro}", HasElement);
    }

    private static bool HasElement(string name)
    {
        var factory = Gst.ElementFactoryFind(name);
        if (factory == 0)
        {
            return false;
        }

        Gst.ObjectUnref(factory);
        return true;
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
