using OpenCvSharp;

namespace Edge.Testing;

/// <summary>Real clips written by OpenCV's VideoWriter (MJPG AVI, MPEG-4 MP4, MJPG Matroska), then cut short.</summary>
public sealed class RecordedClips : IDisposable
{
    public const int Frames = 60;

    private readonly TemporaryFolder folder = new();

    public RecordedClips()
    {
        Avi = Write("clip.avi", FourCC.MJPG);
        Mp4 = Write("clip.mp4", FourCC.MP4V);
        Mkv = Write("clip.mkv", FourCC.MJPG);
    }

    public string Avi { get; }

    public string Mp4 { get; }

    public string Mkv { get; }

    public string Folder => folder.Path;

    /// <summary>A copy of <paramref name="path"/> holding only its first <paramref name="fraction"/> of bytes.</summary>
    public string Cut(string path, double fraction)
    {
        var bytes = File.ReadAllBytes(path);
        var cut = System.IO.Path.Combine(folder.Path, $"cut-{Guid.NewGuid():N}{System.IO.Path.GetExtension(path)}");
        File.WriteAllBytes(cut, bytes[..(int)(bytes.Length * fraction)]);
        return cut;
    }

    public void Dispose() => folder.Dispose();

    private string Write(string name, FourCC codec)
    {
        var path = System.IO.Path.Combine(folder.Path, name);
        using (var writer = new VideoWriter(path, codec, 30, new Size(64, 48)))
        {
            if (!writer.IsOpened())
            {
                throw new InvalidOperationException($"OpenCV's VideoWriter could not create {name}");
            }

            var noise = new Random(7);
            var pixels = new byte[48 * 64 * 3];
            for (var i = 0; i < Frames; i++)
            {
                // Noise, so every frame takes room and a cut in the middle of the file is a cut in the middle of the frames.
                noise.NextBytes(pixels);
                using var image = Mat.FromPixelData(48, 64, MatType.CV_8UC3, pixels);
                writer.Write(image);
            }
        }

        return path;
    }
}
