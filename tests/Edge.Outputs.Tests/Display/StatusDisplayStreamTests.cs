using Edge.Outputs.Display;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;
using static Edge.Outputs.Tests.Display.StatusDisplayTestFrames;

namespace Edge.Outputs.Tests.Display;

/// <summary>The display naming streams: the id on the health line with one, a line per stream (in pages) with several.</summary>
public sealed class StatusDisplayStreamTests
{
    private static readonly TimeSpan Quarter = TimeSpan.FromMilliseconds(250);

    private readonly FakeTimeProvider time = new();

    [Fact]
    public void Redraw_OneNamedStream_ShowsItsIdOnTheHealthLine()
    {
        var device = new SimulatedSsd1306();
        using var display = new StatusDisplay(device, new DisplaySettings(), Names, time, streams: ["porch"], model: "model");
        display.OnFrame(Published(0, 8, DecoderWith(7)) with { Stream = "porch" });

        AdvanceAndAwait(display, Quarter, expectedFramesSent: 1);

        Assert.Equal("sneaker", ScreenReader.ReadLine(device.Ram(), 0));
        Assert.Equal("miss 0 level 0 porch", ScreenReader.ReadLine(device.Ram(), 7));
    }

    [Fact]
    public void Redraw_OneStreamWhoseIdDoesNotFit_LeavesItOut()
    {
        var device = new SimulatedSsd1306();
        using var display = new StatusDisplay(device, new DisplaySettings(), Names, time, streams: ["a-very-long-stream-id"]);
        display.OnFrame(Published(0, 8, DecoderWith(7)) with { Stream = "a-very-long-stream-id" });

        AdvanceAndAwait(display, Quarter, expectedFramesSent: 1);

        Assert.Equal("miss 0 level 0", ScreenReader.ReadLine(device.Ram(), 7));
    }

    [Fact]
    public void Redraw_TwoStreams_ALinePerStreamWithFpsP99AndAbbreviatedLabels()
    {
        var device = new SimulatedSsd1306();
        using var display = new StatusDisplay(device, new DisplaySettings(), Names, time, streams: ["front", "back"], model: "model");
        var trouserAndBag = DecoderWith(1, 8);
        for (var frame = 0; frame < 10; frame++)
        {
            display.OnFrame(Published(frame, endToEndMs: 10 + frame, trouserAndBag, level: 1) with { Stream = "front" });
        }

        display.OnFrame(Other(10, FrameOutcome.Withheld, level: 2) with { Stream = "back" });
        display.OnFrame(Published(11, 500, DecoderWith(0)) with { Stream = "side" }); // not configured: not shown
        display.OnFrame(Published(12, 500, DecoderWith(0)) with { Stream = "back", Model = "scene" }); // another head: not shown

        AdvanceAndAwait(display, Quarter, expectedFramesSent: 1);

        Assert.Equal("front 40.0 19 tro,bag", ScreenReader.ReadLine(device.Ram(), 0));
        Assert.Equal("back 0.0 - -", ScreenReader.ReadLine(device.Ram(), 1));
        Assert.Equal("", ScreenReader.ReadLine(device.Ram(), 6));
        Assert.Equal("miss 1 level 2", ScreenReader.ReadLine(device.Ram(), 7));
    }

    [Fact]
    public void Redraw_MoreStreamsThanLines_CyclesPagesEveryThreeSeconds()
    {
        var device = new SimulatedSsd1306();
        string[] streams = ["s1", "s2", "s3", "s4", "s5"];
        using var display = new StatusDisplay(device, new DisplaySettings { Height = 32 }, Names, time, streams: streams);

        AdvanceAndAwait(display, Quarter, expectedFramesSent: 1);
        Assert.Equal(["s1 0.0 - -", "s2 0.0 - -", "s3 0.0 - -", "miss 0 level 0 1/2"], Lines(device, 4));

        for (var redraw = 2; redraw <= 13; redraw++)
        {
            AdvanceAndAwait(display, Quarter, expectedFramesSent: redraw);
        }

        Assert.Equal(["s4 0.0 - -", "s5 0.0 - -", "", "miss 0 level 0 2/2"], Lines(device, 4));
    }

    private static string[] Lines(SimulatedSsd1306 device, int count) => [.. Enumerable.Range(0, count).Select(line => ScreenReader.ReadLine(device.Ram(), line))];

    private void AdvanceAndAwait(StatusDisplay display, TimeSpan by, long expectedFramesSent)
    {
        time.Advance(by);
        Assert.True(
            SpinWait.SpinUntil(() => display.FramesSent >= expectedFramesSent, TimeSpan.FromSeconds(5)),
            $"expected {expectedFramesSent} frames sent, saw {display.FramesSent}");
    }
}
