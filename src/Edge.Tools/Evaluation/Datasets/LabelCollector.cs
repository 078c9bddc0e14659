namespace Edge.Tools.Evaluation.Datasets;

/// <summary>An image's labels in first-seen order, each once (datasets repeat a label per object or by mistake).</summary>
internal sealed class LabelCollector
{
    private readonly List<string> ordered = [];
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);

    public void Add(string label)
    {
        if (seen.Add(label))
        {
            ordered.Add(label);
        }
    }

    public bool Contains(string label) => seen.Contains(label);

    public string[] ToArray() => [.. ordered];
}
