using OpenCvSharp;
using static Edge.Tools.Charts.ChartStyle;

namespace Edge.Tools.Charts;

/// <summary>The rectangle of an image that data is plotted in, mapping values on two axes to pixels.</summary>
internal sealed class PlotArea(Mat image, Rect frame, Axis x, Axis y)
{
    private const double LabelScale = 0.4;

    public Rect Frame => frame;

    public int X(double value) => frame.X + (int)Math.Round(x.Fraction(value) * frame.Width);

    public int Y(double value) => frame.Bottom - (int)Math.Round(y.Fraction(value) * frame.Height);

    public Point At(double xValue, double yValue) => new(X(xValue), Y(yValue));

    /// <summary>Grid lines and labels at the ticks, the frame, the x caption centred below and the y caption above.</summary>
    public void DrawAxes(string xCaption, string yCaption)
    {
        foreach (var tick in x.Ticks())
        {
            var at = X(tick);
            Cv2.Line(image, new Point(at, frame.Top), new Point(at, frame.Bottom), Grid);
            var label = x.Label(tick);
            Text(image, label, at - (TextWidth(label, LabelScale) / 2), frame.Bottom + 15, LabelScale);
        }

        foreach (var tick in y.Ticks())
        {
            var at = Y(tick);
            Cv2.Line(image, new Point(frame.Left, at), new Point(frame.Right, at), Grid);
            var label = y.Label(tick);
            Text(image, label, frame.Left - TextWidth(label, LabelScale) - 5, at + 4, LabelScale);
        }

        Cv2.Rectangle(image, frame, Ink);
        Text(image, xCaption, frame.X + ((frame.Width - TextWidth(xCaption, LabelScale)) / 2), frame.Bottom + 32, LabelScale);
        Text(image, yCaption, frame.Left - 30, frame.Top - 8, LabelScale);
    }

    /// <summary>A dashed line across the plot at x = <paramref name="value"/>, if the axis shows that value.</summary>
    /// <param name="captionRow">Line of the caption below the top of the plot, to keep captions of close markers apart.</param>
    public void VerticalMarker(double value, Scalar color, string caption, int captionRow = 0)
    {
        if (!x.Contains(value))
        {
            return;
        }

        var at = X(value);
        Dashed(new Point(at, frame.Top), new Point(at, frame.Bottom), color);
        var width = TextWidth(caption, LabelScale);
        var left = at + 4 + width > frame.Right ? at - 4 - width : at + 4;
        Text(image, caption, left, frame.Top + 14 + (captionRow * 14), LabelScale, color);
    }

    /// <summary>A dashed line across the plot at y = <paramref name="value"/>, if the axis shows that value.</summary>
    public void HorizontalMarker(double value, Scalar color, string caption)
    {
        if (!y.Contains(value))
        {
            return;
        }

        var at = Y(value);
        Dashed(new Point(frame.Left, at), new Point(frame.Right, at), color);
        Text(image, caption, frame.Right - TextWidth(caption, LabelScale) - 4, at - 5, LabelScale, color);
    }

    /// <summary>A message in the middle of the plot, for when there is nothing to draw.</summary>
    public void Note(string message) =>
        Text(image, message, frame.X + ((frame.Width - TextWidth(message, 0.5)) / 2), frame.Y + (frame.Height / 2), 0.5);

    // OpenCV draws solid lines only; markers are dashed so that they read as thresholds rather than data.
    private void Dashed(Point from, Point to, Scalar color)
    {
        const double dash = 8, gap = 5;
        var length = Math.Sqrt(Math.Pow(to.X - from.X, 2) + Math.Pow(to.Y - from.Y, 2));
        for (var start = 0.0; start < length; start += dash + gap)
        {
            var end = Math.Min(start + dash, length);
            Cv2.Line(image, Along(start), Along(end), color, 2);
        }

        Point Along(double distance) => new(
            from.X + (int)Math.Round((to.X - from.X) * distance / length),
            from.Y + (int)Math.Round((to.Y - from.Y) * distance / length));
    }
}
