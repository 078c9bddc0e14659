namespace Edge.Camera.Synthetic;

/// <summary>
/// Which items go together. Outfit scenes follow a co-occurrence prior (a top with trousers and shoes, a dress with a
/// bag, …); out-of-context scenes use only combinations that the prior never produces (a top and shoes without
/// trousers, a dress with trousers, …). A model that leans on co-occurrence instead of looking loses accuracy on
/// the out-of-context split.
/// </summary>
internal static class OutfitPrior
{
    private const int TShirt = 0, Trouser = 1, Pullover = 2, Dress = 3, Coat = 4, Sandal = 5, Shirt = 6, Sneaker = 7, Bag = 8, AnkleBoot = 9;

    private static readonly int[] Tops = [TShirt, Pullover, Shirt, Coat];
    private static readonly int[] Footwear = [Sandal, Sneaker, AnkleBoot];

    /// <summary>Fills <paramref name="classes"/> with an outfit and returns how many items it has (2-4).</summary>
    public static int Outfit(ref SceneRandom random, Span<int> classes)
    {
        switch (random.NextInt(4))
        {
            case 0:
                return Fill(classes, Pick(ref random, Tops), Trouser, Pick(ref random, Footwear));
            case 1:
                return random.NextDouble() < 0.5
                    ? Fill(classes, Dress, Bag)
                    : Fill(classes, Dress, Bag, Pick(ref random, Footwear));
            case 2:
                return Fill(classes, Pick(ref random, Tops), Trouser, Bag);
            default:
                return Fill(classes, Pick(ref random, Tops), Trouser, Pick(ref random, Footwear), Bag);
        }
    }

    /// <summary>Fills <paramref name="classes"/> with a combination the outfit prior never produces (2-3 items).</summary>
    public static int OutOfContext(ref SceneRandom random, Span<int> classes)
    {
        switch (random.NextInt(4))
        {
            case 0: // a top and shoes, but no trousers
                return random.NextDouble() < 0.5
                    ? Fill(classes, Pick(ref random, Tops), Pick(ref random, Footwear))
                    : Fill(classes, Pick(ref random, Tops), Pick(ref random, Footwear), Bag);
            case 1:
                return Fill(classes, Dress, Trouser);
            case 2:
                return random.NextDouble() < 0.5
                    ? Fill(classes, Dress, Pick(ref random, Tops))
                    : Fill(classes, Dress, Pick(ref random, Tops), Pick(ref random, Footwear));
            default: // trousers and shoes, but no top
                return random.NextDouble() < 0.5
                    ? Fill(classes, Trouser, Pick(ref random, Footwear))
                    : Fill(classes, Trouser, Pick(ref random, Footwear), Bag);
        }
    }

    private static int Pick(ref SceneRandom random, int[] group) => group[random.NextInt(group.Length)];

    private static int Fill(Span<int> classes, params ReadOnlySpan<int> chosen)
    {
        chosen.CopyTo(classes);
        return chosen.Length;
    }
}
