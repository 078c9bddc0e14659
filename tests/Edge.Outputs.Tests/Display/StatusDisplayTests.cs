using Edge.Outputs.Display;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;
using static Edge.Outputs.Tests.Display.StatusDisplayTestFrames;

namespace Edge.Outputs.Tests.Display;

public sealed class StatusDisplayTests
{
    private static readonly TimeSpan Quarter = TimeSpan.FromMilliseconds(250);

    private readonly FakeTimeProvider time = new();

    [Fact]
    public void Constructor_Height64_DrivesAllRowsAndBlanksTheRam()
    {
        var device = new SimulatedSsd1306();

        using var display = new StatusDisplay(device, new DisplaySettings(), Names, time);

        Assert.Equal(63, device.MultiplexRatio);
        Assert.True(device.AlternativeComPins);
        Assert.True(device.DisplayOn);
        Assert.All(device.Ram(), value => Assert.Equal(0, value));
        Assert.Equal(0, display.FramesSent);
    }

    [Fact]
    public void Constructor_Height32_KeepsTheBindingsThirtyTwoRowSetup()
    {
        var device = new SimulatedSsd1306();

        using var display = new StatusDisplay(device, new DisplaySettings { Height = 32 }, Names, time);

        Assert.Equal(31, device.MultiplexRatio);
        Assert.False(device.AlternativeComPins);
    }

    [Fact]
    public void Redraw_Trouser_PanelRamEqualsTheScreenBuffer()
    {
        var device = new SimulatedSsd1306();
        using var display = new StatusDisplay(device, new DisplaySettings(), Names, time);
        var trouser = DecoderWith(1);
        for (var frame = 0; frame < 10; frame++)
        {
            display.OnFrame(Published(frame, endToEndMs: 10 + frame, trouser, level: 1));
        }

        display.OnFrame(Other(10, FrameOutcome.Withheld, level: 1));
        AdvanceAndAwait(display, Quarter, expectedFramesSent: 1);

        var expected = new StatusScreen(Names, 64);
        expected.Render(new StatusReadings(FramesPerSecond: 40, P99LatencyMs: 19, DeadlineMisses: 1, Level: 1), [1]);
        Assert.Equal(expected.Buffer.ToArray(), device.Ram());
        Assert.Equal("trouser", ScreenReader.ReadLine(device.Ram(), 0));
        Assert.Equal("fps 40.0 p99 19.0ms", ScreenReader.ReadLine(device.Ram(), 6));
        Assert.Equal("miss 1 level 1", ScreenReader.ReadLine(device.Ram(), 7));
        Assert.True(device.Lit(1, 0)); // the stem of the 't'
        Assert.True(device.Lit(1, 5));
        Assert.False(device.Lit(1, 6));
    }

    [Fact]
    public void Redraw_Height32_FillsOnlyTheFourPagesItShows()
    {
        var device = new SimulatedSsd1306();
        using var display = new StatusDisplay(device, new DisplaySettings { Height = 32 }, Names, time);
        display.OnFrame(Published(0, 8, DecoderWith(7)));

        AdvanceAndAwait(display, Quarter, expectedFramesSent: 1);

        Assert.Equal("sneaker", ScreenReader.ReadLine(device.Ram(), 0));
        Assert.Equal("miss 0 level 0", ScreenReader.ReadLine(device.Ram(), 3));
        Assert.All(device.Ram()[(128 * 4)..], value => Assert.Equal(0, value));
    }

    [Fact]
    public void OnFrame_NeverTouchesTheBus()
    {
        var device = new SimulatedSsd1306();
        using var display = new StatusDisplay(device, new DisplaySettings(), Names, time);
        var writes = device.Writes().Count;
        var decoder = DecoderWith(2, 3);

        for (var frame = 0; frame < 1000; frame++)
        {
            display.OnFrame(Published(frame, 5, decoder));
        }

        Thread.Sleep(50);
        Assert.Equal(writes, device.Writes().Count);
    }

    [Fact]
    public void Redraws_FakeClock_OncePerPeriodAtMost()
    {
        var device = new SimulatedSsd1306();
        using var display = new StatusDisplay(device, new DisplaySettings { RefreshHz = 4 }, Names, time);
        var decoder = DecoderWith(0);
        var step = TimeSpan.FromMilliseconds(50);

        for (var i = 1; i <= 40; i++)
        {
            display.OnFrame(Published(i, 5, decoder));
            AdvanceAndAwait(display, step, expectedFramesSent: i * 50 / 250);
        }

        Thread.Sleep(50);
        Assert.Equal(8, display.FramesSent);
        Assert.Equal(8 * 8, device.DataWrites - 8); // a page per transfer; the first 8 blanked the panel
    }

    [Fact]
    public void Redraws_RealClock_CappedByRefreshRate()
    {
        var device = new SimulatedSsd1306();
        var decoder = DecoderWith(0);
        var started = DateTime.UtcNow;
        long sent;
        using (var display = new StatusDisplay(device, new DisplaySettings { RefreshHz = 10 }, Names))
        {
            // At least a second, and on until the first redraw went out: on a loaded CI machine the render thread's
            // first redraw (JIT, the panel's set-up) once took longer than the second. The cap holds over any span.
            var frame = 0;
            while (DateTime.UtcNow - started < TimeSpan.FromSeconds(1)
                || (display.FramesSent == 0 && DateTime.UtcNow - started < TimeSpan.FromSeconds(30)))
            {
                display.OnFrame(Published(frame++, 5, decoder));
                Thread.Sleep(2); // a camera-paced loop, and room for the render thread on a loaded 2-core machine
            }

            sent = display.FramesSent;
        }

        var elapsed = (DateTime.UtcNow - started).TotalSeconds;
        Assert.InRange(sent, 1, (long)Math.Ceiling(elapsed * 10) + 1);
    }

    [Fact]
    public void OnFrame_UndecodedFrames_KeepTheLastLabelsAndCountMisses()
    {
        var device = new SimulatedSsd1306();
        using var display = new StatusDisplay(device, new DisplaySettings(), Names, time);
        display.OnFrame(Published(0, 5, DecoderWith(4, 8)));
        display.OnFrame(Other(1, FrameOutcome.DroppedStale));
        display.OnFrame(Other(2, FrameOutcome.Skipped, level: 2));
        display.OnFrame(Other(3, FrameOutcome.Cancelled, level: 2));
        display.OnFrame(Other(4, FrameOutcome.PublishedLate, level: 2));

        AdvanceAndAwait(display, Quarter, expectedFramesSent: 1);

        Assert.Equal("coat", ScreenReader.ReadLine(device.Ram(), 0));
        Assert.Equal("bag", ScreenReader.ReadLine(device.Ram(), 1));
        Assert.Equal("fps 8.0 p99 50.0ms", ScreenReader.ReadLine(device.Ram(), 6));
        Assert.Equal("miss 2 level 2", ScreenReader.ReadLine(device.Ram(), 7));
    }

    [Fact]
    public void Redraw_FramesPerSecond_CountsSinceThePreviousRedraw()
    {
        var device = new SimulatedSsd1306();
        using var display = new StatusDisplay(device, new DisplaySettings(), Names, time);
        var decoder = DecoderWith(0);
        for (var frame = 0; frame < 5; frame++)
        {
            display.OnFrame(Published(frame, 5, decoder));
        }

        AdvanceAndAwait(display, Quarter, expectedFramesSent: 1);
        AdvanceAndAwait(display, Quarter, expectedFramesSent: 2);

        Assert.Equal("fps 0.0 p99 5.0ms", ScreenReader.ReadLine(device.Ram(), 6));
    }

    [Fact]
    public void Redraw_PanelStopsAnswering_CountsFailuresAndRecovers()
    {
        var device = new SimulatedSsd1306();
        using var display = new StatusDisplay(device, new DisplaySettings(), Names, time);
        display.OnFrame(Published(0, 5, DecoderWith(6)));

        device.Unplugged = true;
        time.Advance(Quarter);
        Assert.True(SpinWait.SpinUntil(() => display.SendFailures == 1, TimeSpan.FromSeconds(5)));
        device.Unplugged = false;
        AdvanceAndAwait(display, Quarter, expectedFramesSent: 1);

        Assert.Equal("shirt", ScreenReader.ReadLine(device.Ram(), 0));
    }

    [Fact]
    public void Dispose_SwitchesThePanelOffAndReleasesTheDevice()
    {
        var device = new SimulatedSsd1306();
        var display = new StatusDisplay(device, new DisplaySettings(), Names, time);

        display.Dispose();
        var writes = device.Writes().Count;
        time.Advance(TimeSpan.FromSeconds(2));
        display.Dispose();

        Assert.False(device.DisplayOn);
        Assert.True(device.Disposed);
        Assert.Equal(writes, device.Writes().Count);
        Assert.Equal(0, display.FramesSent);
    }

    private void AdvanceAndAwait(StatusDisplay display, TimeSpan by, long expectedFramesSent)
    {
        time.Advance(by);
        Assert.True(
            SpinWait.SpinUntil(() => display.FramesSent >= expectedFramesSent, TimeSpan.FromSeconds(5)),
            $"expected {expectedFramesSent} frames sent, saw {display.FramesSent}");
    }
}
