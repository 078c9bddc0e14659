namespace Edge.Tools.Evaluation.Rescoring;

/// <summary>
/// How often labels appear, alone and together, over a set of images (the training labels): N(i), the images with
/// label i, and N(i and j), the images with both. Conditional probabilities P(j | i) = N(i and j) / N(i) follow; a label
/// never seen conditions nothing (0).
/// </summary>
public sealed class LabelCooccurrence
{
    private readonly long[] single;
    private readonly long[] pairs;

    private LabelCooccurrence(IReadOnlyList<string> labels, int images, long[] single, long[] pairs)
    {
        Labels = labels;
        Images = images;
        this.single = single;
        this.pairs = pairs;
    }

    /// <summary>The labels in the model's order; indices below refer to it.</summary>
    public IReadOnlyList<string> Labels { get; }

    public int Images { get; }

    /// <summary>Counts over <paramref name="labelSets"/>, one set of label indices per image (each index once).</summary>
    public static LabelCooccurrence Count(IReadOnlyList<string> labels, IReadOnlyList<IReadOnlyList<int>> labelSets)
    {
        var count = labels.Count;
        var single = new long[count];
        var pairs = new long[count * count];
        foreach (var set in labelSets)
        {
            foreach (var i in set)
            {
                single[i]++;
                foreach (var j in set)
                {
                    if (j != i)
                    {
                        pairs[(i * count) + j]++;
                    }
                }
            }
        }

        return new LabelCooccurrence(labels, labelSets.Count, single, pairs);
    }

    /// <summary>N(i): images that have label <paramref name="label"/>.</summary>
    public long Occurrences(int label) => single[label];

    /// <summary>N(i and j) for i ≠ j; N(i) when they are the same label.</summary>
    public long Together(int i, int j) => i == j ? single[i] : pairs[(i * Labels.Count) + j];

    /// <summary>P(<paramref name="label"/> | <paramref name="given"/>) = N(given and label) / N(given); 0 when <paramref name="given"/> never appears.</summary>
    public double Conditional(int label, int given) => single[given] == 0 ? 0 : (double)Together(given, label) / single[given];
}
