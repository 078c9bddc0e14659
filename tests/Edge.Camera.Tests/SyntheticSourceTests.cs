using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Camera.Synthetic;

namespace Edge.Camera.Tests;

public sealed class SyntheticSourceTests
{
    private static byte[] ReadFrames(string sourceText, int count)
    {
        using var source = FrameSources.Create(sourceText);
        source.Open();
        var frame = new Frame(1, 1);
        var bytes = new List<byte>();
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(FrameReadResult.Frame, source.Read(frame));
            bytes.AddRange(frame.PixelSpan.ToArray());
        }

        return [.. bytes];
    }

    [Fact]
    public void Read_SameSeedTwice_GivesSameBytes()
    {
        var first = ReadFrames("synthetic?seed=11&size=48&fps=0&scene_frames=2", 4);
        var second = ReadFrames("synthetic?seed=11&size=48&fps=0&scene_frames=2", 4);

        Assert.Equal(48 * 48 * 3 * 4, first.Length);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Read_DifferentSeed_GivesDifferentBytes()
    {
        var first = ReadFrames("synthetic?seed=11&size=48&fps=0", 2);
        var other = ReadFrames("synthetic?seed=12&size=48&fps=0", 2);

        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Read_EachFrame_CarriesTheTruthAndPixelsOfItsScene()
    {
        const ulong seed = 5;
        const int sceneFrames = 4;
        using var source = FrameSources.Create($"synthetic?seed={seed}&size=64&fps=0&scene_frames={sceneFrames}&frames=12");
        var renderer = new MultiFashionRenderer(FashionMnistLocator.LoadFor(MultiFashionSplit.Live), MultiFashionSplit.Live, 64);
        var scene = new MultiFashionScene();
        var expected = new byte[renderer.ScratchLength];
        var scratch = new float[renderer.ScratchLength];
        var frame = new Frame(1, 1);
        source.Open();

        for (var k = 0; k < 12; k++)
        {
            Assert.Equal(FrameReadResult.Frame, source.Read(frame));
            renderer.Generate(seed, k / sceneFrames, scene);
            renderer.Render(scene, k % sceneFrames, (ulong)k, expected, scratch);

            Assert.True(frame.HasTruth);
            Assert.Equal(scene.Truth.ToArray(), frame.Truth.ToArray());
            Assert.True(expected.AsSpan().SequenceEqual(frame.PixelSpan), $"frame {k} differs from its scene");
        }
    }

    [Fact]
    public void Read_FramesLimit_EndsWithEndOfStream()
    {
        using var source = FrameSources.Create("synthetic?size=32&fps=0&frames=3");
        var frame = new Frame(1, 1);
        source.Open();

        var results = Enumerable.Range(0, 5).Select(_ => source.Read(frame)).ToArray();

        Assert.Equal(
            [FrameReadResult.Frame, FrameReadResult.Frame, FrameReadResult.Frame, FrameReadResult.EndOfStream, FrameReadResult.EndOfStream],
            results);
    }

    [Fact]
    public void Create_FpsOption_BecomesPacingFps()
    {
        using var paced = FrameSources.Create("synthetic?fps=15&size=32");
        using var unpaced = FrameSources.Create("synthetic?fps=0&size=32");

        Assert.Equal(15, paced.PacingFps);
        Assert.Null(unpaced.PacingFps);
        Assert.Equal("synthetic?fps=15&size=32", paced.Description);
    }

    [Fact]
    public void Render_WithinAScene_ItemsDriftWhileAnEmptySceneStaysStill()
    {
        var renderer = new MultiFashionRenderer(FashionMnistLocator.LoadFor(MultiFashionSplit.Test), MultiFashionSplit.Test, 64);
        var scene = new MultiFashionScene();
        var scratch = new float[renderer.ScratchLength];
        var early = new byte[renderer.ScratchLength];
        var later = new byte[renderer.ScratchLength];
        bool sawItems = false, sawEmpty = false;

        for (var index = 0; index < 300 && !(sawItems && sawEmpty); index++)
        {
            renderer.Generate(3, index, scene);
            renderer.Render(scene, 0, 7, early, scratch);
            renderer.Render(scene, 10, 7, later, scratch);
            if (scene.ItemCount > 0 && !sawItems)
            {
                sawItems = true;
                Assert.False(early.AsSpan().SequenceEqual(later), $"scene {index} with {scene.ItemCount} items did not move");
            }
            else if (scene.ItemCount == 0 && !sawEmpty)
            {
                sawEmpty = true;
                Assert.True(early.AsSpan().SequenceEqual(later), $"empty scene {index} changed with time alone");
            }
        }

        Assert.True(sawItems && sawEmpty, "no scene with items or no empty scene among 300");
    }

    [Fact]
    public void DatasetWrite_SameSeed_WritesSamePngsAndLabels()
    {
        using var folder = new TemporaryFolder();
        var renderer = new MultiFashionRenderer(FashionMnistLocator.LoadFor(MultiFashionSplit.Test), MultiFashionSplit.Test, 48);
        var first = Path.Combine(folder.Path, "a");
        var second = Path.Combine(folder.Path, "b");

        MultiFashionDataset.Write(renderer, 9, 6, first);
        MultiFashionDataset.Write(renderer, 9, 6, second);

        var lines = File.ReadAllLines(Path.Combine(first, MultiFashionDataset.LabelsFile));
        Assert.Equal("image,labels", lines[0]);
        Assert.Equal(7, lines.Length);
        var scene = new MultiFashionScene();
        for (var i = 0; i < 6; i++)
        {
            renderer.Generate(9, i, scene);
            Assert.Equal($"{i:D6}.png,{MultiFashionDataset.LabelList(scene.Truth)}", lines[i + 1]);
        }

        var pngs = Directory.GetFiles(first, "*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"{i:D6}.png"), pngs);
        foreach (var name in pngs)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, name!)), File.ReadAllBytes(Path.Combine(second, name!)));
        }

        Assert.Equal(
            File.ReadAllBytes(Path.Combine(first, MultiFashionDataset.LabelsFile)),
            File.ReadAllBytes(Path.Combine(second, MultiFashionDataset.LabelsFile)));
    }

    [Fact]
    public void DatasetWrite_Pngs_DecodeToTheRenderedScene()
    {
        using var folder = new TemporaryFolder();
        var renderer = new MultiFashionRenderer(FashionMnistLocator.LoadFor(MultiFashionSplit.Test), MultiFashionSplit.Test, 40);
        MultiFashionDataset.Write(renderer, 4, 2, folder.Path);
        var scene = new MultiFashionScene();
        var expected = new byte[renderer.ScratchLength];
        renderer.Generate(4, 1, scene);
        renderer.Render(scene, 0, 0, expected, new float[renderer.ScratchLength]);

        using var source = FrameSources.Create($"images:{folder.Path}");
        source.Open();
        var frame = new Frame(1, 1);
        Assert.Equal(FrameReadResult.Frame, source.Read(frame));
        Assert.Equal(FrameReadResult.Frame, source.Read(frame));

        Assert.Equal(40, frame.Width);
        Assert.True(expected.AsSpan().SequenceEqual(frame.PixelSpan), "000001.png does not hold scene 1");
        Assert.Equal(FrameReadResult.EndOfStream, source.Read(frame));
    }

    [Fact]
    public void Splits_TrainValAndTest_DrawFromDisjointItemPools()
    {
        var training = FashionMnistLocator.LoadFor(MultiFashionSplit.Train);
        var testing = FashionMnistLocator.LoadFor(MultiFashionSplit.Test);
        var trainItems = ItemsUsed(training, MultiFashionSplit.Train);
        var valItems = ItemsUsed(training, MultiFashionSplit.Val);
        var testItems = ItemsUsed(testing, MultiFashionSplit.Test);

        Assert.Equal(60000, training.Count);
        Assert.Equal(10000, testing.Count);
        Assert.All(trainItems, item => Assert.InRange(item, 0, 60000 - MultiFashionSplits.ValidationItems - 1));
        Assert.All(valItems, item => Assert.InRange(item, 60000 - MultiFashionSplits.ValidationItems, 59999));
        Assert.Empty(trainItems.Intersect(valItems));
        Assert.All(testItems, item => Assert.InRange(item, 0, 9999));
        Assert.True(trainItems.Count > 100 && valItems.Count > 100 && testItems.Count > 100);
    }

    [Fact]
    public void LoadFor_TestSplit_FindsTheCopyShippedNextToTheTests()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist", "t10k-images-idx3-ubyte.gz");

        Assert.True(File.Exists(shipped), $"{shipped} was not copied to the test output");
        Assert.Equal(10000, FashionMnistLocator.LoadFor(MultiFashionSplit.Live).Count);
    }

    private static HashSet<int> ItemsUsed(FashionMnist items, MultiFashionSplit split)
    {
        var renderer = new MultiFashionRenderer(items, split, 64);
        var scene = new MultiFashionScene();
        var used = new HashSet<int>();
        for (var index = 0; index < 200; index++)
        {
            renderer.Generate(21, index, scene);
            for (var i = 0; i < scene.ItemCount; i++)
            {
                var item = scene.Items[i];
                Assert.Equal(items.ClassOf(item.ItemIndex), item.ClassId);
                used.Add(item.ItemIndex);
            }
        }

        return used;
    }
}
