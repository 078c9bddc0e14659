using Edge.Camera.Frames;
using OpenCvSharp;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>
/// A video file decoded by OpenCV's FFmpeg backend: <c>file:PATH?loop=false&amp;realtime=true</c>. With
/// <c>realtime=true</c> (the default) the capture loop paces reads to the file's frame rate, so a file plays like a
/// camera; <c>realtime=false</c> decodes as fast as it can. At the end the stream ends, or rewinds with
/// <c>loop=true</c>.
/// </summary>
internal sealed class VideoFileSource : CaptureSource
{
    /// <summary>Frame rate assumed for pacing when the container states none.</summary>
    public const double FallbackFps = 30;

    private readonly string path;
    private readonly bool loop;
    private readonly bool realtime;
    private double fileFps;

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

        var capture = new VideoCapture(full, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
        {
            throw OpenFailed(capture, $"cannot open video file {full}: FFmpeg cannot decode it; expected a video file such as .mp4, .mkv or .avi");
        }

        var fps = capture.Fps;
        fileFps = double.IsFinite(fps) && fps > 0 && fps <= 1000 ? fps : 0;
        return capture;
    }

    protected override FrameReadResult NoFrameResult => FrameReadResult.EndOfStream;

    protected override bool Rewind(VideoCapture opened) => loop && opened.Set(VideoCaptureProperties.PosFrames, 0);
}
