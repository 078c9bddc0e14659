using System.Numerics.Tensors;

namespace Edge.Runtime.Decoding;

/// <summary>
/// A linear correction of a model's logits by the other labels' logits: z' = z + M·z + b, applied before the sigmoid.
/// M and b come from a bundle's <c>rescoring</c> block (a label co-occurrence graph folded into a matrix by
/// <c>edge eval --fit-rescoring</c>; docs/model-bundle.md). Immutable, so one instance serves every stream of a model;
/// applying it allocates nothing.
/// </summary>
public sealed class LogitRescoring
{
    /// <summary>The manifest's <c>rescoring.kind</c> for this correction.</summary>
    public const string LinearLogits = "linear-logits";

    private readonly float[] matrix;
    private readonly float[] bias;

    /// <param name="matrix">labels × labels, row-major: row i weighs every logit into label i's correction.</param>
    /// <param name="bias">One value per label.</param>
    public LogitRescoring(float[] matrix, float[] bias)
    {
        if (bias.Length == 0 || matrix.Length != bias.Length * bias.Length)
        {
            throw new ArgumentException($"a matrix of {matrix.Length} values for {bias.Length} labels: expected {bias.Length} x {bias.Length}", nameof(matrix));
        }

        if (!AllFinite(matrix) || !AllFinite(bias))
        {
            throw new ArgumentException("the matrix and bias must hold finite numbers only", nameof(matrix));
        }

        this.matrix = [.. matrix];
        this.bias = [.. bias];
    }

    public int LabelCount => bias.Length;

    /// <summary>Row <paramref name="label"/> of the matrix: the weights of every logit in that label's correction.</summary>
    public ReadOnlySpan<float> Row(int label) => matrix.AsSpan(label * bias.Length, bias.Length);

    public ReadOnlySpan<float> Bias => bias;

    /// <summary>Writes z + M·z + b for the logits <paramref name="logits"/> into <paramref name="corrected"/> (not the same memory).</summary>
    public void Apply(ReadOnlySpan<float> logits, Span<float> corrected)
    {
        var count = bias.Length;
        if (logits.Length != count || corrected.Length != count)
        {
            throw new ArgumentException($"{logits.Length} logits into {corrected.Length} values: expected {count} each (one per label)", nameof(logits));
        }

        if (logits.Overlaps(corrected))
        {
            throw new ArgumentException("the corrected logits must not overwrite the logits they are computed from", nameof(corrected));
        }

        for (var label = 0; label < count; label++)
        {
            corrected[label] = TensorPrimitives.Dot(matrix.AsSpan(label * count, count), logits);
        }

        TensorPrimitives.Add(corrected, logits, corrected);
        TensorPrimitives.Add(corrected, bias, corrected);
    }

    private static bool AllFinite(float[] values)
    {
        foreach (var value in values)
        {
            if (!float.IsFinite(value))
            {
                return false;
            }
        }

        return true;
    }
}
