namespace Edge.Outputs.Tests.Display;

/// <summary>
/// Reads text back out of a page-order frame (display RAM or a screen buffer) by matching each 6-pixel cell against
/// the 5x7 font, so tests can say what the panel shows rather than compare opaque bytes.
/// </summary>
internal static class ScreenReader
{
    private const int Width = 128;
    private const int Cells = 21;

    public static string ReadLine(ReadOnlySpan<byte> frame, int line)
    {
        var page = frame.Slice(line * Width, Width);
        var text = new char[Cells];
        for (var cell = 0; cell < Cells; cell++)
        {
            text[cell] = Recognise(page.Slice(cell * 6, 5));
        }

        return new string(text).TrimEnd();
    }

    private static char Recognise(ReadOnlySpan<byte> columns)
    {
        for (var c = ' '; c <= '~'; c++)
        {
            if (columns.SequenceEqual(Glyph(c)))
            {
                return c;
            }
        }

        return '\u25A1';
    }

    private static ReadOnlySpan<byte> Glyph(char c) => Edge.Outputs.Display.Font5x7.Glyph(c);
}
