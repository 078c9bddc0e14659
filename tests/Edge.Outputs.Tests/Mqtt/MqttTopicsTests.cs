using System.Text.RegularExpressions;
using Edge.Outputs.Mqtt;

namespace Edge.Outputs.Tests.Mqtt;

public sealed partial class MqttTopicsTests
{
    [Theory]
    [InlineData("jetson-01.local")]
    [InlineData("my rover")]
    [InlineData("lab/rover")]
    [InlineData("dev+1")]
    [InlineData("dev#1")]
    [InlineData("kamera-süd")]
    [InlineData("ロボット")]
    public void HomeAssistantId_IllegalCharacters_OnlyLettersDigitsUnderscoreDash(string id)
    {
        var sanitised = HomeAssistantId.From(id);

        Assert.Matches(HomeAssistantAlphabet(), sanitised);
        Assert.NotEqual(id, sanitised);
    }

    [Theory]
    [InlineData("rover")]
    [InlineData("t-shirt")]
    [InlineData("ankle_boot-2")]
    public void HomeAssistantId_LegalId_IsKeptAsItIs(string id)
    {
        Assert.Equal(id, HomeAssistantId.From(id));
    }

    [Fact]
    public void HomeAssistantId_IdsThatSanitiseAlike_StayDistinct()
    {
        string[] ids = ["jetson-01.local", "jetson-01_local", "jetson-01 local", "jetson-01/local", "jetson-01+local", "jetson-01#local", "jetson-01élocal"];

        var sanitised = ids.Select(HomeAssistantId.From).ToList();

        Assert.Equal(ids.Length, sanitised.Distinct().Count());
    }

    [Theory]
    [InlineData("rover", "rover")]
    [InlineData("jetson-01.local", "jetson-01.local")]
    [InlineData("my rover", "my rover")]
    [InlineData("kamera-süd", "kamera-s%C3%BCd")]
    [InlineData("100%", "100%25")]
    public void Segment_NonAsciiAndPercent_AreEscaped(string name, string expected)
    {
        Assert.Equal(expected, MqttTopics.Segment("device", name));
    }

    [Theory]
    [InlineData("dev#1", "'dev#1'")]
    [InlineData("dev+1", "'dev+1'")]
    [InlineData("lab/rover", "'lab/rover'")]
    [InlineData("dev\u00001", "'dev\\u00001'")]
    [InlineData("", "''")]
    public void Segment_WildcardSlashControlOrEmpty_IsRefusedNamingTheKey(string name, string echoed)
    {
        var error = Assert.Throws<MqttConfigurationException>(() => MqttTopics.Segment("device", name));

        Assert.Contains("'device' is " + echoed, error.Message, StringComparison.Ordinal);
        Assert.Contains("expected", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', error.Message);
    }

    [Theory]
    [InlineData("fleet/edge", "fleet/edge")]
    [InlineData("fleet/edge/", "fleet/edge")]
    [InlineData("flotte/süd", "flotte/s%C3%BCd")]
    public void Prefix_Levels_AreEscapedOneByOne(string prefix, string expected)
    {
        Assert.Equal(expected, MqttTopics.Prefix("mqtt.prefix", prefix));
    }

    [Theory]
    [InlineData("fleet/#")]
    [InlineData("fleet/+/edge")]
    [InlineData("fleet//edge")]
    [InlineData("  ")]
    public void Prefix_WildcardOrEmptyLevel_IsRefused(string prefix)
    {
        var error = Assert.Throws<MqttConfigurationException>(() => MqttTopics.Prefix("mqtt.prefix", prefix));

        Assert.Contains("'mqtt.prefix'", error.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex HomeAssistantAlphabet();
}
