namespace Edge.Camera.Synthetic;

/// <summary>
/// Which Fashion-MNIST items a scene may use. Train and validation scenes draw only from Fashion-MNIST's training
/// split (disjoint ranges), test and live scenes only from its test split, so no item is seen in training and test.
/// </summary>
public enum MultiFashionSplit
{
    Train = 1,
    Val = 2,
    Test = 3,
    Live = 4,

    /// <summary>Out-of-context scenes (combinations the outfit prior never produces), from test items.</summary>
    Ood = 5,
}

public static class MultiFashionSplits
{
    public const int ValidationItems = 6000;

    public static bool UsesTrainingItems(this MultiFashionSplit split) => split is MultiFashionSplit.Train or MultiFashionSplit.Val;

    /// <summary>The [start, start + count) range of items of the loaded Fashion-MNIST split a scene split uses.</summary>
    public static (int Start, int Count) ItemRange(this MultiFashionSplit split, int itemsInSource) => split switch
    {
        MultiFashionSplit.Train => (0, itemsInSource - ValidationItems),
        MultiFashionSplit.Val => (itemsInSource - ValidationItems, ValidationItems),
        _ => (0, itemsInSource),
    };

    public static MultiFashionSplit Parse(string text) => text.ToLowerInvariant() switch
    {
        "train" => MultiFashionSplit.Train,
        "val" or "validation" => MultiFashionSplit.Val,
        "test" => MultiFashionSplit.Test,
        "live" => MultiFashionSplit.Live,
        "ood" => MultiFashionSplit.Ood,
        _ => throw new ArgumentException($"unknown split '{text}', expected train, val, test, ood or live"),
    };
}
