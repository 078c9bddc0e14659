using OpenCvSharp;

namespace Edge.Runtime.Charts;

/// <summary>The look shared by every PNG chart of the reports: white paper, dark ink, light grid, one colour per series.</summary>
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

    public static void Text(Mat image, string text, int x, int y, double scale) =>
        Cv2.PutText(image, text, new Point(x, y), HersheyFonts.HersheySimplex, scale, Ink, 1, LineTypes.AntiAlias);
}
