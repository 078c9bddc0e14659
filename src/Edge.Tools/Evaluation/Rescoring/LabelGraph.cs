namespace Edge.Tools.Evaluation.Rescoring;

/// <summary>Which conditional probability makes an edge i → j of the label graph (row i gathers from column j).</summary>
public enum LabelGraphEdges
{
    /// <summary>ML-GCN's A_ij = P(j | i): label i gathers from the labels that usually accompany it.</summary>
    Accompanying,

    /// <summary>The transpose, A_ij = P(i | j): label i gathers from the labels that usually bring it along.</summary>
    Implying,
}

/// <summary>
/// ML-GCN's label graph (Chen et al., CVPR 2019, §3.3): conditional probabilities from label co-occurrence,
/// binarised at τ (A_ij = 1 when the probability is at least τ, to drop rare, noisy pairs), then re-weighted so a
/// label is not washed out by its neighbours: each row's off-diagonal edges share the weight p equally, the diagonal
/// keeps 1 − p (a label with no edges keeps 1). Instead of a GCN, <see cref="Correction"/> folds the graph into a linear
/// correction of the logits: M = α · offdiag(A'), z' = z + M·z.
/// </summary>
public sealed class LabelGraph
{
    public const double DefaultTau = 0.4;
    public const double DefaultP = 0.2;

    private readonly bool[] edges;
    private readonly double[] weights;

    private LabelGraph(IReadOnlyList<string> labels, LabelGraphEdges direction, double tau, double p, bool[] edges, double[] weights)
    {
        Labels = labels;
        Direction = direction;
        Tau = tau;
        P = p;
        this.edges = edges;
        this.weights = weights;
    }

    public IReadOnlyList<string> Labels { get; }

    public LabelGraphEdges Direction { get; }

    public double Tau { get; }

    public double P { get; }

    /// <summary>Off-diagonal edges of the binarised graph.</summary>
    public int EdgeCount => edges.Count(edge => edge);

    public static LabelGraph Build(LabelCooccurrence cooccurrence, LabelGraphEdges direction, double tau = DefaultTau, double p = DefaultP)
    {
        if (!(tau > 0 && tau <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tau), $"tau is {tau}, expected 0 < tau <= 1");
        }

        if (!(p > 0 && p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"p is {p}, expected 0 < p < 1");
        }

        var count = cooccurrence.Labels.Count;
        var edges = new bool[count * count];
        var weights = new double[count * count];
        for (var i = 0; i < count; i++)
        {
            var degree = 0;
            for (var j = 0; j < count; j++)
            {
                var probability = direction == LabelGraphEdges.Accompanying ? cooccurrence.Conditional(j, given: i) : cooccurrence.Conditional(i, given: j);
                if (i != j && probability >= tau)
                {
                    edges[(i * count) + j] = true;
                    degree++;
                }
            }

            for (var j = 0; j < count; j++)
            {
                weights[(i * count) + j] = i == j ? (degree == 0 ? 1 : 1 - p) : edges[(i * count) + j] ? p / degree : 0;
            }
        }

        return new LabelGraph(cooccurrence.Labels, direction, tau, p, edges, weights);
    }

    /// <summary>Whether the binarised graph has the edge i → j (i ≠ j).</summary>
    public bool HasEdge(int i, int j) => edges[(i * Labels.Count) + j];

    /// <summary>The re-weighted A'_ij.</summary>
    public double Weight(int i, int j) => weights[(i * Labels.Count) + j];

    /// <summary>M = α · A' without its diagonal, row-major labels × labels: z' = z + M·z.</summary>
    public double[] Correction(double alpha)
    {
        var count = Labels.Count;
        var matrix = new double[count * count];
        for (var i = 0; i < count; i++)
        {
            for (var j = 0; j < count; j++)
            {
                matrix[(i * count) + j] = i == j || weights[(i * count) + j] == 0 ? 0 : alpha * weights[(i * count) + j]; // no -0 for absent edges
            }
        }

        return matrix;
    }
}
