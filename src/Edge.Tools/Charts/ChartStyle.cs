using OpenCvSharp;

namespace Edge.Tools.Charts;

/// <summary>The look shared by every chart of the reports (PNG and SVG): white paper, dark ink, light grid, one colour per series.</summary>
internal static class ChartStyle
{
    public static readonly Scalar Paper = Scalar.White;
    public static readonly Scalar Ink = new(40, 40, 40);
    public static readonly Scalar Grid = new(220, 220, 220);

    // The ten "tab10" colours (BGR): distinct at a glance and familiar from plotting libraries.
    private static readonly Scalar[] Palette =
    [
        new(180, 119, 31), new(14, 127, 255), new(44, 160, 44), new(40, 39, 214), new(189, 103, 148),
        new(75, 86, 140), new(194, 119, 227), new(127, 127, 127), new(34, 189, 188), new(207, 190, 23),
    ];

    public static Scalar SeriesColor(int index) => Palette[index % Palette.Length];

    /// <summary>A colour as SVG writes it (<c>#rrggbb</c>), from OpenCV's BGR order.</summary>
    public static string Hex(Scalar color) => $"#{(int)color.Val2:x2}{(int)color.Val1:x2}{(int)color.Val0:x2}";

    public static void Text(Mat image, string text, int x, int y, double scale) => Text(image, text, x, y, scale, Ink);

    public static void Text(Mat image, string text, int x, int y, double scale, Scalar color) =>
        Cv2.PutText(image, text, new Point(x, y), HersheyFonts.HersheySimplex, scale, color, 1, LineTypes.AntiAlias);

    /// <summary>Writes <paramref name="image"/> as the format its extension names, failing loudly rather than leaving a report with a hole.</summary>
    public static void Save(Mat image, string path)
    {
        if (!Cv2.ImWrite(path, image))
        {
            throw new IOException($"could not write chart '{path}': check that its folder exists and is writable");
        }
    }

    /// <summary>Width in pixels of <paramref name="text"/> as <see cref="Text(Mat, string, int, int, double)"/> draws it, to align it right or centre it.</summary>
    public static int TextWidth(string text, double scale) =>
        Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, scale, 1, out _).Width;
}
