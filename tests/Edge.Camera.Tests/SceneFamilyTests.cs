using System.Text.Json;
using Edge.Camera.Synthetic;
using Edge.Camera.Synthetic.Perturbations;

namespace Edge.Camera.Tests;

public sealed class SceneFamilyTests
{
    private const int Side = 96;
    private static readonly FashionMnist TestItems = FashionMnistLocator.LoadFor(MultiFashionSplit.Test);

    public static TheoryData<string> AllFamilies => [.. SceneFamilies.Names];

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public void Render_SameSeedTwice_GivesIdenticalPixels(string name)
    {
        var family = SceneFamilies.Parse(name);

        for (var index = 0; index < 6; index++)
        {
            Assert.Equal(RenderScene(family, 5, index).Pixels, RenderScene(family, 5, index).Pixels);
        }

        Assert.NotEqual(RenderScene(family, 5, 0).Pixels, RenderScene(family, 6, 0).Pixels);
    }

    [Fact]
    public void Render_CleanFamily_IsTheRendererWithoutAFamily()
    {
        var renderer = new MultiFashionRenderer(TestItems, MultiFashionSplit.Test, Side, 0.5);
        for (var index = 0; index < 10; index++)
        {
            Assert.Equal(Render(renderer, 9, index).Pixels, RenderScene(SceneFamily.Clean, 9, index, 0.5).Pixels);
        }
    }

    [Theory]
    [InlineData("lighting")]
    [InlineData("tint")]
    [InlineData("texture")]
    [InlineData("clutter")]
    [InlineData("defocus")]
    [InlineData("motion-blur")]
    [InlineData("noise")]
    [InlineData("jpeg")]
    [InlineData("mix")]
    public void Render_AppearanceFamily_KeepsTheCleanLayoutAndChangesThePixels(string name)
    {
        var family = SceneFamilies.Parse(name);
        Assert.True(family.KeepsLayout());
        for (var index = 0; index < 10; index++)
        {
            var clean = RenderScene(SceneFamily.Clean, 3, index);
            var shifted = RenderScene(family, 3, index);

            Assert.Equal(clean.Boxes, shifted.Boxes);
            Assert.Equal(clean.Truth, shifted.Truth);
            Assert.True(MeanAbsoluteDifference(clean.Pixels, shifted.Pixels) > 1.5, $"{name} scene {index} barely differs from clean");
        }
    }

    [Fact]
    public void Generate_Occlusion_OverlapsButLeavesHalfOfEveryItemVisible()
    {
        var renderer = new MultiFashionRenderer(TestItems, MultiFashionSplit.Test, 224, family: SceneFamily.Occlusion);
        var scene = new MultiFashionScene();
        var heavilyCovered = 0;
        for (var index = 0; index < 200; index++)
        {
            renderer.Generate(4, index, scene);
            for (var i = 0; i < scene.ItemCount; i++)
            {
                var visible = scene.ItemBox(i, 224).Visible;
                Assert.True(visible >= 0.5, $"scene {index} item {i} shows only {visible:P0}");
                heavilyCovered += visible < 0.8 ? 1 : 0;
            }
        }

        // The clean rule caps any overlap at 20% of the smaller box; occlusion must go well beyond it.
        Assert.True(heavilyCovered > 40, $"only {heavilyCovered} items are more than 20% covered");
    }

    [Theory]
    [InlineData("clean", 0.30, 0.50)]
    [InlineData("scale-small", 0.15, 0.26)]
    [InlineData("scale-large", 0.50, 0.65)]
    [InlineData("randomized", 0.15, 0.60)]
    public void Generate_Family_ItemSidesStayInItsRange(string name, double min, double max)
    {
        var renderer = new MultiFashionRenderer(TestItems, MultiFashionSplit.Test, 200, family: SceneFamilies.Parse(name));
        var scene = new MultiFashionScene();
        double smallest = 1, largest = 0;
        for (var index = 0; index < 200; index++)
        {
            renderer.Generate(8, index, scene);
            for (var i = 0; i < scene.ItemCount; i++)
            {
                var box = scene.ItemBox(i, 200);
                var share = (box.X1 - box.X0) / 200;
                smallest = Math.Min(smallest, share);
                largest = Math.Max(largest, share);
            }
        }

        Assert.InRange(smallest, min, min + 0.04);
        Assert.InRange(largest, max - 0.04, max);
    }

    [Fact]
    public void Generate_Randomized_DrawsEveryKindOfShift()
    {
        var renderer = new MultiFashionRenderer(TestItems, MultiFashionSplit.Train, 224, family: SceneFamily.Randomized);
        var scene = new MultiFashionScene();
        var backgrounds = new HashSet<BackgroundKind>();
        int blurred = 0, noisy = 0, compressed = 0, toned = 0, untouched = 0;
        for (var index = 0; index < 300; index++)
        {
            renderer.Generate(2, index, scene);
            var shift = scene.Perturbation;
            backgrounds.Add(shift.Background);
            blurred += shift.DefocusRadius > 0 || shift.MotionLength > 0 ? 1 : 0;
            noisy += shift.NoiseSigma > 0 ? 1 : 0;
            compressed += shift.JpegQuality > 0 ? 1 : 0;
            toned += shift.ChangesTone ? 1 : 0;
            untouched += !shift.ChangesPixels && shift.Background == BackgroundKind.Gradient ? 1 : 0;
        }

        Assert.Equal(Enum.GetValues<BackgroundKind>().Length, backgrounds.Count);
        Assert.All(new[] { blurred, noisy, compressed, toned }, count => Assert.InRange(count, 30, 270));
        // Each shift is drawn independently, so a few scenes (about 2.5%) come out with none at all.
        Assert.InRange(untouched, 1, 30);
    }

    [Fact]
    public void Write_Dataset_ItemsCsvListsEveryLabelOfLabelsCsv()
    {
        var folder = Directory.CreateTempSubdirectory("edge-items-");
        try
        {
            var renderer = new MultiFashionRenderer(TestItems, MultiFashionSplit.Test, 64, family: SceneFamily.Occlusion);
            MultiFashionDataset.Write(renderer, 7, 40, folder.FullName);

            var labels = File.ReadAllLines(Path.Combine(folder.FullName, MultiFashionDataset.LabelsFile)).Skip(1)
                .Select(line => line.Split(','))
                .ToDictionary(cells => cells[0], cells => cells[1].Split(';', StringSplitOptions.RemoveEmptyEntries).ToHashSet());
            var items = File.ReadAllLines(Path.Combine(folder.FullName, MultiFashionDataset.ItemsFile));
            Assert.Equal("image,label,x0,y0,x1,y1,visible", items[0]);
            var fromItems = items.Skip(1).Select(line => line.Split(',')).GroupBy(cells => cells[0])
                .ToDictionary(group => group.Key, group => group.Select(cells => cells[1]).ToHashSet());
            foreach (var (image, expected) in labels)
            {
                Assert.Equal(expected, fromItems.GetValueOrDefault(image) ?? []);
            }

            foreach (var cells in items.Skip(1).Select(line => line.Split(',')))
            {
                var numbers = cells[2..].Select(cell => double.Parse(cell, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                Assert.True(numbers[0] >= 0 && numbers[1] >= 0 && numbers[2] <= 64 && numbers[3] <= 64 && numbers[0] < numbers[2] && numbers[1] < numbers[3]);
                Assert.InRange(numbers[4], 0.5, 1.0);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Write_RobustnessSet_WritesEveryFamilyAndAnIndexStartingWithClean()
    {
        var folder = Directory.CreateTempSubdirectory("edge-robustness-");
        try
        {
            RobustnessSetWriter.Write(TestItems, MultiFashionSplit.Test, 3, 4, 64, 0.5, folder.FullName);

            using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.FullName, RobustnessSetWriter.IndexFile)));
            var root = index.RootElement;
            Assert.Equal("edge-robustness-set/1", root.GetProperty("format").GetString());
            Assert.Equal("test", root.GetProperty("split").GetString());
            Assert.Equal(4, root.GetProperty("count").GetInt32());
            var families = root.GetProperty("families").EnumerateArray().ToArray();
            Assert.Equal("clean", families[0].GetProperty("name").GetString());
            Assert.Equal(SceneFamilies.Evaluation.Count + 2, families.Length);
            Assert.Contains(families, family => family.GetProperty("name").GetString() == "out-of-context" && family.GetProperty("kind").GetString() == "context");
            foreach (var family in families)
            {
                var labels = Path.Combine(folder.FullName, family.GetProperty("folder").GetString()!, MultiFashionDataset.LabelsFile);
                Assert.Equal(5, File.ReadAllLines(labels).Length);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Generate_OutOfContextOnValidationItems_NeverProducesAnOutfitAndUsesTrainingItems()
    {
        var training = FashionMnistLocator.LoadFor(MultiFashionSplit.Val);
        var renderer = new MultiFashionRenderer(training, MultiFashionSplit.Val, 224, outOfContext: true);
        var scene = new MultiFashionScene();
        int[] tops = [0, 2, 4, 6];
        for (var index = 0; index < 200; index++)
        {
            renderer.Generate(4, index, scene);
            var classes = scene.Truth.ToArray();
            Assert.False(classes.Any(tops.Contains) && classes.Contains(1), $"scene {index} pairs a top with trousers");
            Assert.False(classes.Contains(3) && classes.Contains(8), $"scene {index} pairs a dress with a bag");
        }
    }

    private static (byte[] Pixels, SceneItemBox[] Boxes, int[] Truth) RenderScene(SceneFamily family, ulong seed, int index, double outfitShare = 0) =>
        Render(new MultiFashionRenderer(TestItems, MultiFashionSplit.Test, Side, outfitShare, family), seed, index);

    private static (byte[] Pixels, SceneItemBox[] Boxes, int[] Truth) Render(MultiFashionRenderer renderer, ulong seed, int index)
    {
        var scene = new MultiFashionScene();
        renderer.Generate(seed, index, scene);
        var pixels = new byte[renderer.ScratchLength];
        renderer.Render(scene, 0, 0, pixels, new float[renderer.ScratchLength]);
        var boxes = Enumerable.Range(0, scene.ItemCount).Select(i => scene.ItemBox(i, renderer.CanvasSize)).ToArray();
        return (pixels, boxes, scene.Truth.ToArray());
    }

    private static double MeanAbsoluteDifference(byte[] a, byte[] b)
    {
        long total = 0;
        for (var i = 0; i < a.Length; i++)
        {
            total += Math.Abs(a[i] - b[i]);
        }

        return total / (double)a.Length;
    }
}
