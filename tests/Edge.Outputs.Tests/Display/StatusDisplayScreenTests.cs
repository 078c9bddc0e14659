using Edge.Outputs.Display;

namespace Edge.Outputs.Tests.Display;

public sealed class StatusDisplayScreenTests
{
    private static readonly string[] Names = StatusDisplayTestFrames.Names;
    private static readonly StatusReadings Typical = new(29.84, 12.34, 3, 1);

    [Fact]
    public void Render_Height64_LabelsOnePerLineThenStatistics()
    {
        var screen = new StatusScreen(Names, 64);

        screen.Render(Typical, [1, 5]);

        Assert.Equal(8, screen.Lines);
        Assert.Equal(128 * 8, screen.Buffer.Length);
        string[] expected = ["trouser", "sandal", "", "", "", "", "fps 29.8 p99 12.3ms", "miss 3 level 1"];
        Assert.Equal(expected, Enumerable.Range(0, 8).Select(line => screen.Line(line).ToString()));
        Assert.Equal(expected, Enumerable.Range(0, 8).Select(line => ScreenReader.ReadLine(screen.Buffer, line)));
    }

    [Fact]
    public void Render_Height32_TwoLabelLinesThenStatistics()
    {
        var screen = new StatusScreen(Names, 32);

        screen.Render(Typical, [7]);

        Assert.Equal(128 * 4, screen.Buffer.Length);
        string[] expected = ["sneaker", "", "fps 29.8 p99 12.3ms", "miss 3 level 1"];
        Assert.Equal(expected, Enumerable.Range(0, 4).Select(line => ScreenReader.ReadLine(screen.Buffer, line)));
    }

    [Fact]
    public void Render_GlyphsOfTrouser_LightExpectedPixels()
    {
        var screen = new StatusScreen(Names, 64);

        screen.Render(Typical, [1]);

        // 't' occupies columns 0-4 of page 0: 0x04 0x3F 0x44 0x40 0x20, least significant bit at the top row.
        Assert.Equal(new byte[] { 0x04, 0x3F, 0x44, 0x40, 0x20, 0x00 }, screen.Buffer[..6].ToArray());
        Assert.True(Lit(screen, x: 1, y: 0)); // top of the stem
        Assert.True(Lit(screen, x: 1, y: 5));
        Assert.False(Lit(screen, x: 1, y: 6)); // the stem ends above the foot
        Assert.True(Lit(screen, x: 0, y: 2)); // left end of the bar
        Assert.False(Lit(screen, x: 5, y: 2)); // gap between characters
        // 'r' starts at column 6: 0x7C 0x08 0x04 0x04 0x08.
        Assert.Equal(new byte[] { 0x7C, 0x08, 0x04, 0x04, 0x08 }, screen.Buffer[6..11].ToArray());
        Assert.Equal(7 * 5, Enumerable.Range(0, 128).Count(x => screen.Buffer[x] != 0)); // 7 glyphs of 5 inked columns
    }

    [Fact]
    public void Render_NoActiveLabels_SaysSo()
    {
        var screen = new StatusScreen(Names, 64);

        screen.Render(Typical, []);

        Assert.Equal("no labels", screen.Line(0).ToString());
        Assert.Equal("no labels", ScreenReader.ReadLine(screen.Buffer, 0));
    }

    [Fact]
    public void Render_NameLongerThanLine_CutToTwentyOneCharacters()
    {
        string[] names = ["an exceptionally long label name"];
        var screen = new StatusScreen(names, 64);

        screen.Render(Typical, [0]);

        Assert.Equal(StatusScreen.Columns, screen.Line(0).Length);
        Assert.Equal("an exceptionally long", ScreenReader.ReadLine(screen.Buffer, 0));
        Assert.Equal(0, screen.Buffer[126] | screen.Buffer[127]);
    }

    [Fact]
    public void Render_MoreLabelsThanLines_LastLabelLineCountsTheRest()
    {
        var screen = new StatusScreen(Names, 64);

        screen.Render(Typical, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

        string[] expected = ["t-shirt", "trouser", "pullover", "dress", "coat", "+5 more"];
        Assert.Equal(expected, Enumerable.Range(0, screen.LabelLines).Select(line => ScreenReader.ReadLine(screen.Buffer, line)));
    }

    [Fact]
    public void Render_ExactlyAsManyLabelsAsLines_ShowsThemAll()
    {
        var screen = new StatusScreen(Names, 32);

        screen.Render(Typical, [8, 9]);

        Assert.Equal("bag", screen.Line(0).ToString());
        Assert.Equal("ankle boot", screen.Line(1).ToString());
    }

    [Fact]
    public void Render_LabelWithoutName_ShowsItsIndex()
    {
        var screen = new StatusScreen(Names, 64);

        screen.Render(Typical, [12]);

        Assert.Equal("#12", screen.Line(0).ToString());
    }

    [Theory]
    [InlineData(double.NaN, double.NaN, "fps - p99 -")]
    [InlineData(0, 99.94, "fps 0.0 p99 99.9ms")]
    [InlineData(120.4, 1234.56, "fps 120 p99 1235ms")]
    public void Render_Statistics_CompactNumbers(double fps, double p99, string expected)
    {
        var screen = new StatusScreen(Names, 64);

        screen.Render(new StatusReadings(fps, p99, 0, 0), []);

        Assert.Equal(expected, screen.Line(6).ToString());
    }

    [Fact]
    public void Render_AfterLongerText_LeavesNoTrace()
    {
        var screen = new StatusScreen(Names, 64);
        screen.Render(new StatusReadings(29.8, 1234, 123456, 2), [0, 1, 2, 3, 4, 5]);

        screen.Render(Typical, [3]);

        var fresh = new StatusScreen(Names, 64);
        fresh.Render(Typical, [3]);
        Assert.Equal(fresh.Buffer.ToArray(), screen.Buffer.ToArray());
    }

    [Fact]
    public void Render_NonAsciiName_DrawsQuestionMarks()
    {
        var screen = new StatusScreen(["café"], 64);

        screen.Render(Typical, [0]);

        Assert.Equal("caf?", ScreenReader.ReadLine(screen.Buffer, 0));
    }

    [Theory]
    [InlineData(48)]
    [InlineData(128)]
    public void Constructor_UnsupportedHeight_Throws(int height)
    {
        var error = Assert.Throws<DisplayConfigurationException>(() => new StatusScreen(Names, height));

        Assert.Equal($"display height {height} is not supported: expected 64 or 32 (128x64 or 128x32 panels)", error.Message);
    }

    private static bool Lit(StatusScreen screen, int x, int y) => (screen.Buffer[(y / 8 * 128) + x] & (1 << (y % 8))) != 0;
}
