using System.Globalization;
using System.Text;
using System.Xml;

namespace Edge.Tools.Charts;

/// <summary>
/// A vector chart written as SVG through <see cref="XmlWriter"/>, so every label is escaped and the file is well-formed
/// XML. Coordinates are pixels from the top left. Shapes take extra attributes (<c>class</c>, <c>data-*</c>) that let
/// tests and scripts find them, and an optional tooltip (<c>&lt;title&gt;</c>).
/// </summary>
internal sealed class SvgCanvas : IDisposable
{
    private const string Namespace = "http://www.w3.org/2000/svg";
    private readonly XmlWriter writer;

    public SvgCanvas(Stream stream, int width, int height)
    {
        // No byte order mark: SVG is UTF-8 by default, and some viewers show a BOM as a stray character.
        writer = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
        writer.WriteStartElement("svg", Namespace);
        writer.WriteAttributeString("width", N(width));
        writer.WriteAttributeString("height", N(height));
        writer.WriteAttributeString("viewBox", $"0 0 {N(width)} {N(height)}");
        writer.WriteAttributeString("font-family", "sans-serif");
        Rect(0, 0, width, height, ChartStyle.Hex(ChartStyle.Paper));
    }

    public void Rect(double x, double y, double width, double height, string fill, string? tooltip = null, params (string Name, string Value)[] attributes)
    {
        writer.WriteStartElement("rect", Namespace);
        Attributes(("x", N(x)), ("y", N(y)), ("width", N(Math.Max(0, width))), ("height", N(Math.Max(0, height))), ("fill", fill));
        Attributes(attributes);
        Tooltip(tooltip);
        writer.WriteEndElement();
    }

    public void Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, bool dashed = false, params (string Name, string Value)[] attributes)
    {
        writer.WriteStartElement("line", Namespace);
        Attributes(("x1", N(x1)), ("y1", N(y1)), ("x2", N(x2)), ("y2", N(y2)), ("stroke", stroke), ("stroke-width", N(width)));
        if (dashed)
        {
            writer.WriteAttributeString("stroke-dasharray", "6 4");
        }

        Attributes(attributes);
        writer.WriteEndElement();
    }

    /// <param name="anchor"><c>start</c>, <c>middle</c> or <c>end</c>: which part of the text sits at <paramref name="x"/>.</param>
    /// <param name="rotate">Degrees clockwise about (<paramref name="x"/>, <paramref name="y"/>); negative tilts the text up.</param>
    public void Text(double x, double y, string text, double size = 12, string anchor = "start", double rotate = 0, string? fill = null, params (string Name, string Value)[] attributes)
    {
        writer.WriteStartElement("text", Namespace);
        Attributes(("x", N(x)), ("y", N(y)), ("font-size", N(size)), ("text-anchor", anchor), ("fill", fill ?? ChartStyle.Hex(ChartStyle.Ink)));
        if (rotate != 0)
        {
            writer.WriteAttributeString("transform", $"rotate({N(rotate)} {N(x)} {N(y)})");
        }

        Attributes(attributes);
        writer.WriteString(text);
        writer.WriteEndElement();
    }

    public void Dispose()
    {
        writer.WriteEndElement();
        writer.Dispose();
    }

    private static string N(double value) => Math.Round(value, 2).ToString(CultureInfo.InvariantCulture);

    private void Attributes(params (string Name, string Value)[] attributes)
    {
        foreach (var (name, value) in attributes)
        {
            writer.WriteAttributeString(name, value);
        }
    }

    private void Tooltip(string? tooltip)
    {
        if (tooltip is not null)
        {
            writer.WriteElementString("title", Namespace, tooltip);
        }
    }
}
