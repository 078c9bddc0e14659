using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Tests.Pipeline;

public sealed class StreamIdTests
{
    [Theory]
    [InlineData("cam0")]
    [InlineData("front-door_2")]
    [InlineData("0")]
    [InlineData("-")]
    public void IsValid_LowerCaseDigitsUnderscoreHyphen_IsTrue(string id) => Assert.True(StreamId.IsValid(id));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Cam0")]
    [InlineData("CAM")]
    [InlineData("front door")]
    [InlineData("cam/0")]
    [InlineData("cam.0")]
    [InlineData("caméra")]
    [InlineData("cam+0")]
    public void IsValid_OtherCharactersOrEmpty_IsFalse(string? id) => Assert.False(StreamId.IsValid(id));

    [Fact]
    public void IsValid_Length_IsOneToSixtyFour()
    {
        Assert.True(StreamId.IsValid(new string('a', StreamId.MaxLength)));
        Assert.False(StreamId.IsValid(new string('a', StreamId.MaxLength + 1)));
    }

    [Fact]
    public void Checked_UpperCaseId_ThrowsNamingTheExpectedCharacters()
    {
        var error = Assert.Throws<ArgumentException>(() => StreamId.Checked("Cam0", "stream"));

        Assert.Contains("a-z, 0-9", error.Message, StringComparison.Ordinal);
    }
}
