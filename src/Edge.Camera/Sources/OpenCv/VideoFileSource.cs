using Edge.Camera.Frames;
using Edge.Camera.Sources.Headers;
using OpenCvSharp;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>
/// A video file decoded by OpenCV's FFmpeg backend: <c>file:PATH?loop=false&amp;realtime=true</c>. With
/// <c>realtime=true</c> (the default) the capture loop paces reads to the file's frame rate, so a file plays like a
/// camera; <c>realtime=false</c> decodes as fast as it can. At the end the stream ends, or rewinds with
/// <c>loop=true</c>.
/// </summary>
/// <remarks>
/// A file cut short or corrupt is reported, not played as if complete: when fewer frames decode than the container
/// declares (MP4/MOV and AVI state their frame count) or its structure runs past the end of the file, the end of the
/// pass throws <see cref="IncompleteSourceException"/>, after every frame read was delivered. A file FFmpeg cannot
/// open is explained from its own header (<see cref="VideoContainer"/>): empty, an MP4 without its 'moov' atom, not a
/// video container, or a container whose video FFmpeg cannot decode.
/// </remarks>
internal sealed class VideoFileSource : CaptureSource
{
    /// <summary>Frame rate assumed for pacing when the container states none.</summary>
    public const double FallbackFps = 30;

    private readonly string path;
    private readonly bool loop;
    private readonly bool realtime;
    private double fileFps;
    private VideoContainer? container;
    private long declaredFrames;

    private VideoFileSource(string description, string path, bool loop, bool realtime, FrameHandoff handoff)
        : base(description)
    {
        Handoff = handoff;
        this.path = path;
        this.loop = loop;
        this.realtime = realtime;
    }

    public override double? PacingFps => realtime ? (fileFps > 0 ? fileFps : FallbackFps) : null;

    /// <summary>Lossless unless the file plays in real time like a camera (then latest-frame-wins).</summary>
    public override FrameHandoff Handoff { get; }

    public static VideoFileSource Create(SourceSpec spec)
    {
        var loop = spec.GetBool("loop", false);
        var realtime = spec.GetBool("realtime", true);
        var handoff = spec.GetHandoff(realtime ? FrameHandoff.LatestWins : FrameHandoff.Lossless);
        spec.RejectUnknownOptions();
        return new VideoFileSource(spec.Text, spec.Target, loop, realtime, handoff);
    }

    protected override VideoCapture OpenCapture()
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FrameSourceException(
                $"video file not found: {full} (source '{Description}'): expected an existing video file such as file:clip.mp4");
        }

        try
        {
            container = VideoContainer.Inspect(full);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new FrameSourceException($"cannot read video file {full} (source '{Description}'): {exception.Message}", exception);
        }

        var capture = new VideoCapture(full, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
        {
            throw OpenFailed(capture, $"cannot open video file {full}: {WhyNotOpened(container)}");
        }

        var fps = capture.Fps;
        fileFps = double.IsFinite(fps) && fps > 0 && fps <= 1000 ? fps : 0;
        declaredFrames = container.StatesFrameCount ? Math.Max(0, (long)capture.FrameCount) : 0;
        return capture;
    }

    /// <summary>At the end of a pass, before any rewind: throws <see cref="IncompleteSourceException"/> when the file
    /// ended before its own end.</summary>
    private void CheckComplete()
    {
        // Edit lists and decoder delay can legitimately cost a frame or two against the container's sample count.
        var shortBy = declaredFrames - FramesInPass;
        var framesMissing = declaredFrames > 0 && shortBy > Math.Max(2, declaredFrames / 100);
        if (!framesMissing && container?.Damage is null)
        {
            return;
        }

        var read = declaredFrames > 0
            ? $"read {FramesInPass} of the {declaredFrames} frames its container declares"
            : $"read {FramesInPass} frames";
        var damage = container?.Damage is { } d ? $"; {d}" : string.Empty;
        throw new IncompleteSourceException(
            $"video file {Path.GetFullPath(path)} is truncated or corrupt: {read}{damage}; every frame read was processed: expected a complete file (copy it again, or let the recorder finish)");
    }

    private static string WhyNotOpened(VideoContainer container) => container switch
    {
        { Damage: { } damage } => damage,
        { IsImage: true, Name: var name }
            => $"it is {name}, not a video: expected a video file such as .mp4, .mkv or .avi (for still images use images:DIR)",
        { IsVideoContainer: false, Name: var name } => $"it is {name}: expected a video file such as .mp4, .mkv or .avi",
        { Name: var name } => $"FFmpeg cannot decode {name} (no video stream, an unsupported codec, or damaged inside): expected H.264, H.265, VP8/VP9, AV1, MPEG-4 or MJPEG video",
    };

    protected override FrameReadResult NoFrameResult => FrameReadResult.EndOfStream;

    protected override bool Rewind(VideoCapture opened)
    {
        CheckComplete();
        return loop && opened.Set(VideoCaptureProperties.PosFrames, 0);
    }
}
