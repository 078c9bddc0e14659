using System.Device.Gpio;
using Edge.Outputs.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Outputs.Tests.Gpio;

/// <summary>Rules naming a stream (and head): they follow only that stream's label sets; bad names are refused.</summary>
public sealed class GpioStreamRuleTests
{
    private const int Person = 0;

    private static readonly GpioScope TwoStreamsTwoHeads = new(["front", "back"], ["tagger", "scene"]);

    private readonly GpioBench bench = new(new FakeTimeProvider());

    [Fact]
    public void OnFrame_RuleNamingAStream_FollowsOnlyThatStream()
    {
        using var outputs = bench.Open(Rules(new GpioRule { Label = "person", Stream = "back", Line = GpioBench.Line(43) }), scope: TwoStreamsTwoHeads);

        outputs.OnFrame(bench.Labels(Person) with { Stream = "front", Model = "tagger" });
        Assert.Equal(PinValue.Low, bench.Main.ValueOf(43));

        outputs.OnFrame(bench.Labels(Person) with { Stream = "back", Model = "tagger" });
        Assert.Equal(PinValue.High, bench.Main.ValueOf(43));

        // front's person going away does not turn back's line off; back's does.
        outputs.OnFrame(bench.Labels() with { Stream = "front", Model = "tagger" });
        Assert.Equal(PinValue.High, bench.Main.ValueOf(43));
        outputs.OnFrame(bench.Labels() with { Stream = "back", Model = "tagger" });
        Assert.Equal(PinValue.Low, bench.Main.ValueOf(43));
    }

    [Fact]
    public void OnFrame_AnotherHeadsLabelSets_DoNotMoveTheLine()
    {
        using var outputs = bench.Open(Rules(new GpioRule { Label = "person", Stream = "front", Line = GpioBench.Line(43) }), scope: TwoStreamsTwoHeads);

        outputs.OnFrame(bench.Labels(Person) with { Stream = "front", Model = "scene" });

        Assert.Equal(PinValue.Low, bench.Main.ValueOf(43));
    }

    [Fact]
    public void Constructor_OneStreamRuleWithoutStream_FollowsThatStream()
    {
        using var outputs = bench.Open(Rules(new GpioRule { Label = "person", Line = GpioBench.Line(43) }), scope: new GpioScope(["porch"], ["tagger"]));

        outputs.OnFrame(bench.Labels(Person) with { Stream = "porch", Model = "tagger" });

        Assert.Equal(PinValue.High, bench.Main.ValueOf(43));
    }

    [Fact]
    public void Constructor_SeveralStreamsRuleWithoutStream_RefusedNamingTheKey()
    {
        var error = Assert.Throws<GpioConfigurationException>(() => bench.Open(Rules(new GpioRule { Label = "person", Line = GpioBench.Line(43) }), scope: TwoStreamsTwoHeads));

        Assert.Equal("gpio.rules[0].stream is not set ('person'): expected one of front, back (several streams are configured, so each rule names its own)", error.Message);
        Assert.Empty(bench.Main.Writes);
    }

    [Fact]
    public void Constructor_UnknownStream_RefusedNamingTheKey()
    {
        var error = Assert.Throws<GpioConfigurationException>(() => bench.Open(Rules(
            new GpioRule { Label = "person", Stream = "front", Line = GpioBench.Line(43) },
            new GpioRule { Label = "car", Stream = "side", Line = GpioBench.Line(44) }), scope: TwoStreamsTwoHeads));

        Assert.Equal("gpio.rules[1].stream is 'side', which is not a configured stream: expected one of front, back", error.Message);
    }

    [Theory]
    [InlineData("scene", "gpio.rules[0].model is 'scene': expected 'tagger' (rules follow the configured model's labels; further heads cannot drive GPIO lines yet)")]
    [InlineData("nope", "gpio.rules[0].model is 'nope', which is not a configured head: expected 'tagger' or none")]
    public void Constructor_ModelOtherThanTheFirstHead_Refused(string model, string expected)
    {
        var error = Assert.Throws<GpioConfigurationException>(() => bench.Open(Rules(new GpioRule { Label = "person", Stream = "front", Model = model, Line = GpioBench.Line(43) }), scope: TwoStreamsTwoHeads));

        Assert.Equal(expected, error.Message);
    }

    private static GpioSettings Rules(params GpioRule[] rules) => new() { Rules = [.. rules] };
}
