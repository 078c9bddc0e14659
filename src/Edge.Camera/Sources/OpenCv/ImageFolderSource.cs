using Edge.Camera.Frames;

namespace Edge.Camera.Sources.OpenCv;

/// <summary>
/// The image files of a folder in ordinal name order: <c>images:DIR?fps=N&amp;loop=false&amp;handoff=lossless&amp;max_megapixels=50</c>.
/// Other files (such as a dataset's labels.csv) are ignored. An image that does not decode, or whose header states more
/// than <c>max_megapixels</c>, stops the run: reconnecting cannot fix it.
/// </summary>
/// <remarks>
/// OpenCvSharp has no <c>imread</c> into an existing Mat, so each image is decoded into a Mat that is disposed as soon
/// as its pixels are copied into the frame; the frame buffers themselves are reused.
/// </remarks>
internal sealed class ImageFolderSource : IFrameSource
{
    public static readonly IReadOnlyList<string> Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"];

    private const string Expected = "expected a folder of PNG/JPEG/BMP/TIFF/WebP images (.png .jpg .jpeg .bmp .tif .tiff .webp)";

    private readonly string folder;
    private readonly double fps;
    private readonly bool loop;
    private readonly int maxMegapixels;
    private string[] files = [];
    private int next;
    private bool listed;

    private ImageFolderSource(string description, string folder, double fps, bool loop, int maxMegapixels, FrameHandoff handoff)
    {
        this.maxMegapixels = maxMegapixels;
        Handoff = handoff;
        Description = description;
        this.folder = folder;
        this.fps = fps;
        this.loop = loop;
    }

    public string Description { get; }

    public double? PacingFps => fps > 0 ? fps : null;

    public FrameHandoff Handoff { get; }

    /// <summary>The image files found by the last <see cref="Open"/>, in the order they are read.</summary>
    public IReadOnlyList<string> Files => files;

    public static ImageFolderSource Create(SourceSpec spec)
    {
        var fps = spec.GetDouble("fps", 0, 0, 1000);
        var loop = spec.GetBool("loop", false);
        var maxMegapixels = spec.GetInt("max_megapixels", ImageFile.DefaultMaxMegapixels, 1, ImageFile.MaxMegapixelsLimit);
        var handoff = spec.GetHandoff(FrameHandoff.Lossless);
        spec.RejectUnknownOptions();
        return new ImageFolderSource(spec.Text, spec.Target, fps, loop, maxMegapixels, handoff);
    }

    public void Open()
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
        {
            throw new FrameSourceException($"image folder not found: {full} (source '{Description}'): {Expected}");
        }

        var found = new List<string>();
        foreach (var path in Directory.EnumerateFiles(full))
        {
            var extension = Path.GetExtension(path);
            foreach (var known in Extensions)
            {
                if (string.Equals(extension, known, StringComparison.OrdinalIgnoreCase))
                {
                    found.Add(path);
                    break;
                }
            }
        }

        if (found.Count == 0)
        {
            throw new FrameSourceException($"image folder {full} has no images: {Expected}");
        }

        found.Sort(StringComparer.Ordinal);
        files = [.. found];

        // A reopen continues where reading stopped; only the first open starts at the beginning.
        next = listed ? Math.Min(next, files.Length) : 0;
        listed = true;
    }

    public void Close()
    {
    }

    public FrameReadResult Read(Frame target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!listed)
        {
            return FrameReadResult.Failed;
        }

        if (next >= files.Length)
        {
            if (!loop)
            {
                return FrameReadResult.EndOfStream;
            }

            next = 0;
        }

        ImageFile.Read(files[next++], target, maxMegapixels);
        return FrameReadResult.Frame;
    }

    public void Dispose()
    {
    }
}
