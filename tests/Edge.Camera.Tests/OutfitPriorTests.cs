using Edge.Camera.Synthetic;

namespace Edge.Camera.Tests;

public sealed class OutfitPriorTests
{
    private const int TShirt = 0, Trouser = 1, Pullover = 2, Dress = 3, Coat = 4, Sandal = 5, Shirt = 6, Sneaker = 7, Bag = 8, AnkleBoot = 9;
    private static readonly int[] Tops = [TShirt, Pullover, Shirt, Coat];
    private static readonly int[] Footwear = [Sandal, Sneaker, AnkleBoot];
    private static readonly FashionMnist TestItems = FashionMnistLocator.LoadFor(MultiFashionSplit.Test);

    [Fact]
    public void Generate_OutfitShareOne_EveryScenePartOfAnOutfit()
    {
        var renderer = new MultiFashionRenderer(TestItems, MultiFashionSplit.Test, 224, outfitShare: 1);
        var scene = new MultiFashionScene();
        var checkedScenes = 0;
        for (var index = 0; index < 300; index++)
        {
            renderer.Generate(9, index, scene);
            var classes = scene.Truth.ToArray();
            // Items that find no free place are dropped, so check what any subset of an outfit satisfies.
            checkedScenes++;
            var tops = classes.Count(Tops.Contains);
            var hasDress = classes.Contains(Dress);
            Assert.True(tops <= 1, $"scene {index}: {string.Join(",", classes)} has two tops");
            Assert.False(hasDress && (tops > 0 || classes.Contains(Trouser)), $"scene {index}: {string.Join(",", classes)} mixes a dress with a top or trousers");
            Assert.True(classes.Count(Footwear.Contains) <= 1, $"scene {index}: two kinds of footwear");
        }

        Assert.True(checkedScenes > 100);
    }

    [Fact]
    public void Generate_OodSplit_NeverProducesAnOutfit()
    {
        var renderer = new MultiFashionRenderer(TestItems, MultiFashionSplit.Ood, 224);
        var scene = new MultiFashionScene();
        for (var index = 0; index < 300; index++)
        {
            renderer.Generate(4, index, scene);
            var classes = scene.Truth.ToArray();
            Assert.InRange(classes.Length, 1, 3);
            var topWithTrousers = classes.Any(Tops.Contains) && classes.Contains(Trouser);
            var dressWithBag = classes.Contains(Dress) && classes.Contains(Bag);
            Assert.False(topWithTrousers || dressWithBag, $"scene {index}: {string.Join(",", classes)} follows the outfit prior");
        }
    }

    [Fact]
    public void Generate_OutfitShareZero_MatchesTheRendererWithoutAPrior()
    {
        var withDefault = new MultiFashionRenderer(TestItems, MultiFashionSplit.Test, 64);
        var withZero = new MultiFashionRenderer(TestItems, MultiFashionSplit.Test, 64, outfitShare: 0);
        var withPrior = new MultiFashionRenderer(TestItems, MultiFashionSplit.Test, 64, outfitShare: 0.5);
        var a = new MultiFashionScene();
        var b = new MultiFashionScene();
        var c = new MultiFashionScene();
        var differs = false;
        for (var index = 0; index < 50; index++)
        {
            withDefault.Generate(3, index, a);
            withZero.Generate(3, index, b);
            withPrior.Generate(3, index, c);
            Assert.Equal(a.Truth.ToArray(), b.Truth.ToArray());
            differs |= !a.Truth.SequenceEqual(c.Truth);
        }

        Assert.True(differs, "a prior share of 0.5 should change some scenes");
    }

    [Fact]
    public void Constructor_OutfitShareOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiFashionRenderer(TestItems, MultiFashionSplit.Test, 64, outfitShare: 1.5));
    }
}
