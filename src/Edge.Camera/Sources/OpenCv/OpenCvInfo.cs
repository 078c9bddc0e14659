using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>
/// What the OpenCV native library on this machine can do, for <c>edge info</c> and for sources that need a
/// particular video backend. Loading is attempted once; the result (or the reason it failed) is kept.
/// </summary>
public sealed class OpenCvInfo
{
    private static readonly Lock Gate = new();
    private static bool attempted;
    private static OpenCvInfo? loaded;
    private static string? failure;

    private OpenCvInfo(string version, bool hasGStreamer, bool hasFfmpeg, bool hasV4l2, IReadOnlyDictionary<string, string> videoIo, IReadOnlyList<string>? ffmpegProtocols)
    {
        FfmpegProtocols = ffmpegProtocols;
        Version = version;
        HasGStreamer = hasGStreamer;
        HasFfmpeg = hasFfmpeg;
        HasV4l2 = hasV4l2;
        VideoIo = videoIo;
    }

    /// <summary>OpenCV's version, e.g. "4.13.0".</summary>
    public string Version { get; }

    public bool HasGStreamer { get; }

    public bool HasFfmpeg { get; }

    public bool HasV4l2 { get; }

    /// <summary>
    /// The input protocols of the FFmpeg built into OpenCV's native library (the official OpenCvSharp runtime links it
    /// statically and exports its symbols), or null when they cannot be listed. The official linux-x64 runtime's list
    /// has no network protocol (no tcp, rtsp or http): network streams go through GStreamer instead.
    /// </summary>
    public IReadOnlyList<string>? FfmpegProtocols { get; }

    /// <summary>The entries of the "Video I/O" section of OpenCV's build information (name -> value as printed).</summary>
    public IReadOnlyDictionary<string, string> VideoIo { get; }

    /// <summary>Loads OpenCV's native library and describes it, or returns null when it cannot be loaded.</summary>
    public static OpenCvInfo? TryLoad() => TryLoad(out _);

    /// <summary>As <see cref="TryLoad()"/>, with the one-line reason when the native library cannot be loaded.</summary>
    public static OpenCvInfo? TryLoad(out string? reason)
    {
        lock (Gate)
        {
            if (!attempted)
            {
                attempted = true;
                try
                {
                    loaded = Query();
                }
                catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException
                                              or EntryPointNotFoundException or FileNotFoundException or FileLoadException)
                {
                    failure = Describe(e);
                }
            }

            reason = failure;
            return loaded;
        }
    }

    /// <summary>Reads the parts of <c>cv::getBuildInformation()</c> that matter here.</summary>
    public static OpenCvInfo Parse(string version, string buildInformation, IReadOnlyList<string>? ffmpegProtocols = null)
    {
        ArgumentNullException.ThrowIfNull(buildInformation);
        var entries = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var inSection = false;
        var sectionIndent = 0;
        foreach (var rawLine in buildInformation.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            var indent = line.Length - line.TrimStart().Length;
            var text = line.Trim();
            if (!inSection)
            {
                if (text.StartsWith("Video I/O:", StringComparison.OrdinalIgnoreCase))
                {
                    inSection = true;
                    sectionIndent = indent;
                }

                continue;
            }

            if (text.Length == 0 || indent <= sectionIndent)
            {
                break;
            }

            var colon = text.IndexOf(':');
            if (colon > 0)
            {
                entries.TryAdd(text[..colon].Trim(), text[(colon + 1)..].Trim());
            }
        }

        return new OpenCvInfo(
            version,
            hasGStreamer: IsYes(entries, "GStreamer"),
            hasFfmpeg: IsYes(entries, "FFMPEG"),
            hasV4l2: IsYes(entries, "v4l/v4l2") || IsYes(entries, "V4L/V4L2") || IsYes(entries, "V4L2"),
            entries,
            ffmpegProtocols);
    }

    private static bool IsYes(Dictionary<string, string> entries, string key) =>
        entries.TryGetValue(key, out var value) && value.StartsWith("YES", StringComparison.OrdinalIgnoreCase);

    // Kept out of line so that a missing OpenCvSharp.dll fails here, inside TryLoad's try block.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static OpenCvInfo Query() => Parse(Cv2.GetVersionString() ?? "unknown", Cv2.GetBuildInformation() ?? string.Empty, FfmpegInputProtocols());

    /// <summary>FFmpeg's avio_enum_protocols, called in OpenCV's native library when it exports it.</summary>
    private static unsafe List<string>? FfmpegInputProtocols()
    {
        if (!NativeLibrary.TryLoad("OpenCvSharpExtern", typeof(Cv2).Assembly, null, out var library)
            || !NativeLibrary.TryGetExport(library, "avio_enum_protocols", out var export))
        {
            return null;
        }

        var enumerate = (delegate* unmanaged<void**, int, byte*>)export;
        var protocols = new List<string>();
        void* opaque = null;
        for (var name = enumerate(&opaque, 0); name != null; name = enumerate(&opaque, 0))
        {
            protocols.Add(Marshal.PtrToStringUTF8((nint)name) ?? string.Empty);
        }

        return protocols;
    }

    private static string Describe(Exception e)
    {
        var innermost = e;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        var text = innermost.Message.ReplaceLineEndings(" ");
        while (text.Contains("  ", StringComparison.Ordinal))
        {
            text = text.Replace("  ", " ", StringComparison.Ordinal);
        }

        return $"{innermost.GetType().Name}: {text.Trim()}";
    }
}
