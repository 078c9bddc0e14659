using Edge.Runtime.Decoding;

namespace Edge.Runtime.Tests.Decoding;

public sealed class LabelLocatorTests
{
    [Fact]
    public void Locate_SinglePeak_ReturnsItsCellCentreAndBox()
    {
        // 2 labels, 4x4 maps; label 1 peaks at row 1, column 2, with a neighbour above half height at row 1, column 3.
        var maps = new float[2 * 16];
        maps[16 + (1 * 4) + 2] = 10;
        maps[16 + (1 * 4) + 3] = 6;
        maps[16 + (2 * 4) + 2] = 4;
        var locator = new LabelLocator(2, 4, 4);

        locator.Locate(maps, [1]);

        var location = locator[1];
        Assert.Equal(2.5f / 4, location.X, 1e-6f);
        Assert.Equal(1.5f / 4, location.Y, 1e-6f);
        Assert.Equal(new LabelLocation(2.5f / 4, 1.5f / 4, 0.5f, 0.25f, 1f, 0.5f), location);
    }

    [Fact]
    public void Locate_OnlyActiveLabels_LeavesOthersUntouched()
    {
        var maps = new float[3 * 4];
        maps[0] = 1;
        maps[4 + 3] = 1;
        var locator = new LabelLocator(3, 2, 2);

        locator.Locate(maps, [0]);

        Assert.Equal(0.25f, locator[0].X, 1e-6f);
        Assert.Equal(default, locator[1]);
    }

    [Fact]
    public void Locate_FlatMap_BoxCoversTheWholeGrid()
    {
        var locator = new LabelLocator(1, 3, 5);

        locator.Locate(new float[15], [0]);

        Assert.Equal(new LabelLocation(0.1f, 1f / 6, 0, 0, 1, 1), locator[0]);
    }

    [Fact]
    public void Locate_MapsTooShort_Throws()
    {
        var locator = new LabelLocator(2, 2, 2);

        Assert.Throws<ArgumentException>(() => locator.Locate(new float[4], [1]));
    }
}
