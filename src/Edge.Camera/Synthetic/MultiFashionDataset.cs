using System.Globalization;
using System.Text;
using StbImageWriteSharp;

namespace Edge.Camera.Synthetic;

/// <summary>
/// Writes a MultiFashion dataset: PNG scenes plus <c>labels.csv</c> (<c>image,labels</c>, labels separated by ';'),
/// the format the training recipe and <c>edge eval</c> read, and <c>items.csv</c>
/// (<c>image,label,x0,y0,x1,y1,visible</c>: every placed item's box in pixels and the share of it left uncovered),
/// which label-safe crops in training need. Scenes are rendered in parallel; the result does not depend on the
/// number of threads.
/// </summary>
public static class MultiFashionDataset
{
    public const string LabelsFile = "labels.csv";
    public const string ItemsFile = "items.csv";

    public static void Write(
        MultiFashionRenderer renderer,
        ulong seed,
        int count,
        string outputDirectory,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Directory.CreateDirectory(outputDirectory);
        var rows = new string[count];
        var itemRows = new string[count];
        var done = 0;
        Parallel.For(
            0,
            count,
            new ParallelOptions { CancellationToken = cancellationToken },
            () => new Workspace(renderer),
            (index, _, workspace) =>
            {
                renderer.Generate(seed, index, workspace.Scene);
                renderer.Render(workspace.Scene, 0, 0, workspace.Bgr, workspace.Scratch);
                var name = $"{index:D6}.png";
                WritePng(Path.Combine(outputDirectory, name), workspace.Bgr, workspace.Rgb, renderer.CanvasSize);
                rows[index] = $"{name},{LabelList(workspace.Scene.Truth)}";
                itemRows[index] = ItemRows(name, workspace.Scene, renderer.CanvasSize);
                progress?.Report(Interlocked.Increment(ref done));
                return workspace;
            },
            _ => { });

        var items = new StringBuilder("image,label,x0,y0,x1,y1,visible\n");
        foreach (var row in itemRows)
        {
            items.Append(row);
        }

        WriteAtomically(Path.Combine(outputDirectory, ItemsFile), items.ToString());
        var csv = new StringBuilder("image,labels\n");
        foreach (var row in rows)
        {
            csv.Append(row).Append('\n');
        }

        // labels.csv last: its presence marks a complete dataset.
        WriteAtomically(Path.Combine(outputDirectory, LabelsFile), csv.ToString());
    }

    private static string ItemRows(string image, MultiFashionScene scene, int canvasSize)
    {
        var rows = new StringBuilder();
        for (var i = 0; i < scene.ItemCount; i++)
        {
            var box = scene.ItemBox(i, canvasSize);
            rows.Append(CultureInfo.InvariantCulture, $"{image},{FashionMnist.LabelNames[box.ClassId]},{box.X0:0.##},{box.Y0:0.##},{box.X1:0.##},{box.Y1:0.##},{box.Visible:0.###}\n");
        }

        return rows.ToString();
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    public static string LabelList(ReadOnlySpan<int> classIds)
    {
        var builder = new StringBuilder();
        foreach (var id in classIds)
        {
            if (builder.Length > 0)
            {
                builder.Append(';');
            }

            builder.Append(FashionMnist.LabelNames[id]);
        }

        return builder.ToString();
    }

    private static void WritePng(string path, byte[] bgr, byte[] rgb, int side)
    {
        for (var p = 0; p < side * side * 3; p += 3)
        {
            rgb[p] = bgr[p + 2];
            rgb[p + 1] = bgr[p + 1];
            rgb[p + 2] = bgr[p];
        }

        using var stream = File.Create(path);
        new ImageWriter().WritePng(rgb, side, side, ColorComponents.RedGreenBlue, stream);
    }

    private sealed class Workspace(MultiFashionRenderer renderer)
    {
        public MultiFashionScene Scene { get; } = new();

        public float[] Scratch { get; } = new float[renderer.ScratchLength];

        public byte[] Bgr { get; } = new byte[renderer.ScratchLength];

        public byte[] Rgb { get; } = new byte[renderer.ScratchLength];
    }
}
