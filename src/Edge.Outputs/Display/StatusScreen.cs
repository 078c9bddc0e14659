namespace Edge.Outputs.Display;

/// <summary>
/// Lays the status out as text lines (the active labels first, then fps, p99 latency, deadline misses and degrade
/// level) and draws them with a 5x7 font into a 1-bit frame buffer in SSD1306 page order: byte <c>page * 128 + x</c>
/// holds the eight pixels of column x from row <c>page * 8</c> (least significant bit) down. The same input always
/// gives the same buffer, and rendering allocates nothing.
/// </summary>
internal sealed class StatusScreen
{
    public const int Width = 128;

    /// <summary>Characters per line: 21 glyphs of 5 pixels plus a 1-pixel gap.</summary>
    public const int Columns = Width / Font5x7.Advance;

    private const int PageHeight = 8;
    private const int StatisticsLines = 2;

    /// <summary>Characters of an active label's name on a stream line (several streams).</summary>
    private const int AbbreviatedLabel = 3;

    private readonly string[] labelNames;
    private readonly string? streamId;
    private readonly byte[] buffer;
    private readonly char[] cells;
    private readonly int[] lineLengths;

    /// <param name="labelNames">Names by label index, as the decoder numbers them.</param>
    /// <param name="height">Panel rows: 64 (8 lines) or 32 (4 lines).</param>
    /// <param name="streamId">The one stream's id, shown at the end of the health line when it fits; none when null.</param>
    public StatusScreen(IReadOnlyList<string> labelNames, int height, string? streamId = null)
    {
        if (height is not (64 or 32))
        {
            throw new DisplayConfigurationException($"display height {height} is not supported: expected 64 or 32 (128x64 or 128x32 panels)");
        }

        this.labelNames = [.. labelNames];
        this.streamId = streamId;
        Height = height;
        Lines = height / PageHeight;
        buffer = new byte[Width * Lines];
        cells = new char[Columns * Lines];
        lineLengths = new int[Lines];
    }

    public int Height { get; }

    /// <summary>Text lines, one per 8-row page.</summary>
    public int Lines { get; }

    /// <summary>Lines given to active labels; the rest show the statistics.</summary>
    public int LabelLines => Lines - StatisticsLines;

    /// <summary>With several streams: lines given to streams, one each; the last line shows misses and level.</summary>
    public int StreamLines => Lines - 1;

    /// <summary>The last rendered frame: <see cref="Width"/> x <see cref="Height"/> pixels, one bit each, in page order.</summary>
    public ReadOnlySpan<byte> Buffer => buffer;

    /// <summary>The text drawn on line <paramref name="line"/> by the last render.</summary>
    public ReadOnlySpan<char> Line(int line) => cells.AsSpan(line * Columns, lineLengths[line]);

    /// <param name="activeLabels">Indices of the active labels, most confident first; one without a name shows as #index.</param>
    public void Render(in StatusReadings readings, ReadOnlySpan<int> activeLabels)
    {
        WriteLabels(activeLabels);
        WriteStatistics(readings);
        Draw();
    }

    /// <summary>
    /// Several streams: a line per stream from <paramref name="first"/> (id, fps, p99 in ms, active labels cut to
    /// three characters), then misses and the highest level of all streams, and which page when they do not fit.
    /// </summary>
    public void RenderStreams(IReadOnlyList<string> ids, ReadOnlySpan<double> framesPerSecond, IReadOnlyList<StatusSnapshot> snapshots, int first, long deadlineMisses, int level)
    {
        for (var row = 0; row < StreamLines; row++)
        {
            var stream = first + row;
            if (stream >= ids.Count)
            {
                lineLengths[row] = 0;
                continue;
            }

            var line = Start(row);
            line.Append(ids[stream]);
            line.Append(" ");
            line.AppendCompact(framesPerSecond[stream]);
            line.Append(" ");
            var p99 = snapshots[stream].P99LatencyMs();
            if (double.IsNaN(p99))
            {
                line.Append("-");
            }
            else
            {
                line.Append((long)Math.Round(p99));
            }

            var active = snapshots[stream].Active;
            line.Append(" ");
            if (active.IsEmpty)
            {
                line.Append("-");
            }

            for (var i = 0; i < active.Length; i++)
            {
                if (i > 0)
                {
                    line.Append(",");
                }

                AppendAbbreviated(ref line, active[i]);
            }

            Finish(row, line);
        }

        var footer = Start(StreamLines);
        footer.Append("miss ");
        footer.Append(deadlineMisses);
        footer.Append(" level ");
        footer.Append(level);
        var pages = (ids.Count + StreamLines - 1) / StreamLines;
        if (pages > 1)
        {
            footer.Append(" ");
            footer.Append((first / StreamLines) + 1);
            footer.Append("/");
            footer.Append(pages);
        }

        Finish(StreamLines, footer);
        Draw();
    }

    private void AppendAbbreviated(ref TextLine line, int label)
    {
        if ((uint)label < (uint)labelNames.Length)
        {
            var name = labelNames[label].AsSpan();
            line.Append(name[..Math.Min(name.Length, AbbreviatedLabel)]);
            return;
        }

        line.Append("#");
        line.Append(label);
    }

    private void WriteLabels(ReadOnlySpan<int> activeLabels)
    {
        if (activeLabels.IsEmpty)
        {
            var line = Start(0);
            line.Append("no labels");
            Finish(0, line);
            ClearLines(1, LabelLines);
            return;
        }

        // When they do not all fit, the last label line says how many are hidden instead of showing one more.
        var shown = activeLabels.Length <= LabelLines ? activeLabels.Length : LabelLines - 1;
        for (var i = 0; i < shown; i++)
        {
            var line = Start(i);
            AppendName(ref line, activeLabels[i]);
            Finish(i, line);
        }

        if (shown < activeLabels.Length)
        {
            var line = Start(shown);
            line.Append("+");
            line.Append(activeLabels.Length - shown);
            line.Append(" more");
            Finish(shown, line);
            shown++;
        }

        ClearLines(shown, LabelLines);
    }

    private void WriteStatistics(in StatusReadings readings)
    {
        var rates = Start(LabelLines);
        rates.Append("fps ");
        rates.AppendCompact(readings.FramesPerSecond);
        rates.Append(" p99 ");
        rates.AppendCompact(readings.P99LatencyMs);
        if (!double.IsNaN(readings.P99LatencyMs))
        {
            rates.Append("ms");
        }

        Finish(LabelLines, rates);

        var health = Start(LabelLines + 1);
        health.Append("miss ");
        health.Append(readings.DeadlineMisses);
        health.Append(" level ");
        health.Append(readings.Level);
        if (streamId is not null && health.Length + 1 + streamId.Length <= Columns)
        {
            health.Append(" ");
            health.Append(streamId);
        }

        Finish(LabelLines + 1, health);
    }

    /// <summary>A label the names do not cover shows as its index (#7) rather than failing the display thread.</summary>
    private void AppendName(ref TextLine line, int label)
    {
        if ((uint)label < (uint)labelNames.Length)
        {
            line.Append(labelNames[label]);
            return;
        }

        line.Append("#");
        line.Append(label);
    }

    private TextLine Start(int line) => new(cells.AsSpan(line * Columns, Columns));

    private void Finish(int line, in TextLine text) => lineLengths[line] = text.Length;

    private void ClearLines(int from, int to)
    {
        for (var line = from; line < to; line++)
        {
            lineLengths[line] = 0;
        }
    }

    private void Draw()
    {
        Array.Clear(buffer);
        for (var line = 0; line < Lines; line++)
        {
            var page = buffer.AsSpan(line * Width, Width);
            var text = Line(line);
            for (var i = 0; i < text.Length; i++)
            {
                Font5x7.Glyph(text[i]).CopyTo(page[(i * Font5x7.Advance)..]);
            }
        }
    }
}
