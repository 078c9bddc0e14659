using System.Text.Json.Nodes;
using Edge.Runtime.Bundles;

namespace Edge.Runtime.Tests;

/// <summary>The manifest's optional <c>rescoring</c> block: read into <see cref="ModelBundle.Rescoring"/>, or refused naming the field.</summary>
public sealed class ManifestRescoringTests
{
    private const int Labels = 10;

    [Fact]
    public void Load_RescoringBlock_GivesTheMatrixAndBiasAsFloats()
    {
        using var test = TestBundle.Create(m => m["rescoring"] = Block(matrix: Matrix(Labels, Labels, (row, column) => row == 2 && column == 7 ? 0.125 : 0), bias: Bias(Labels, 0.5)));

        var rescoring = test.Load().Rescoring;

        Assert.NotNull(rescoring);
        Assert.Equal(Labels, rescoring.LabelCount);
        Assert.Equal(0.125f, rescoring.Row(2)[7]);
        Assert.Equal(0f, rescoring.Row(7)[2]);
        Assert.All(rescoring.Bias.ToArray(), value => Assert.Equal(0.5f, value));
    }

    [Fact]
    public void Load_NoRescoringBlock_HasNone()
    {
        using var test = TestBundle.Create();

        Assert.Null(test.Load().Rescoring);
    }

    [Fact]
    public void Load_RescoringWithoutBias_BiasIsZero()
    {
        using var test = TestBundle.Create(m => m["rescoring"] = Block(matrix: Matrix(Labels, Labels, (_, _) => 0.01), bias: null));

        Assert.All(test.Load().Rescoring!.Bias.ToArray(), value => Assert.Equal(0f, value));
    }

    [Fact]
    public void Load_MatrixWithTooFewRows_NamesMatrix()
    {
        AssertRefused(Block(matrix: Matrix(Labels - 1, Labels, (_, _) => 0)), "rescoring.matrix", "has 9 rows, expected 10 x 10");
    }

    [Fact]
    public void Load_MatrixRowTooShort_NamesTheRow()
    {
        var matrix = Matrix(Labels, Labels, (_, _) => 0);
        matrix[4]!.AsArray().RemoveAt(0);

        AssertRefused(Block(matrix: matrix), "rescoring.matrix[4]", "has 9 values, expected 10");
    }

    [Fact]
    public void Load_MatrixValueBeyondFloat32_NamesTheCell()
    {
        AssertRefused(Block(matrix: Matrix(Labels, Labels, (row, column) => row == 3 && column == 5 ? 1e39 : 0)), "rescoring.matrix[3][5]", "expected a finite number");
    }

    [Fact]
    public void Load_MatrixMissing_NamesMatrix()
    {
        AssertRefused(Block(matrix: null), "rescoring.matrix", "has no rows");
    }

    [Fact]
    public void Load_BiasOfWrongLength_NamesBias()
    {
        AssertRefused(Block(matrix: Matrix(Labels, Labels, (_, _) => 0), bias: Bias(3, 0)), "rescoring.bias", "has 3 values, expected 10");
    }

    [Fact]
    public void Load_BiasValueBeyondFloat32_NamesTheValue()
    {
        var bias = Bias(Labels, 0);
        bias[6] = -1e40;

        AssertRefused(Block(matrix: Matrix(Labels, Labels, (_, _) => 0), bias: bias), "rescoring.bias[6]", "expected a finite number");
    }

    [Fact]
    public void Load_UnknownKind_NamesKind()
    {
        var block = Block(matrix: Matrix(Labels, Labels, (_, _) => 0));
        block["kind"] = "gcn";

        AssertRefused(block, "rescoring.kind", "is 'gcn', expected linear-logits");
    }

    [Fact]
    public void Load_RescoringOnAProbabilitiesModel_NamesRescoring()
    {
        using var test = TestBundle.Create(m =>
        {
            m["output"]!["kind"] = "probabilities";
            m["rescoring"] = Block(matrix: Matrix(Labels, Labels, (_, _) => 0));
        });

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.StartsWith("manifest field 'rescoring' ", exception.Message, StringComparison.Ordinal);
        Assert.Contains("output.kind is 'probabilities'", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', exception.Message);
    }

    private static void AssertRefused(JsonObject block, string field, string problem)
    {
        using var test = TestBundle.Create(m => m["rescoring"] = block);

        var exception = Assert.Throws<ModelBundleException>(test.Load);

        Assert.StartsWith($"manifest field '{field}' ", exception.Message, StringComparison.Ordinal);
        Assert.Contains(problem, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', exception.Message);
    }

    private static JsonObject Block(JsonArray? matrix, JsonArray? bias = null)
    {
        var block = new JsonObject { ["kind"] = "linear-logits" };
        if (matrix is not null)
        {
            block["matrix"] = matrix;
        }

        if (bias is not null)
        {
            block["bias"] = bias;
        }

        block["provenance"] = new JsonObject { ["graph"] = "test" };
        return block;
    }

    private static JsonArray Matrix(int rows, int columns, Func<int, int, double> value)
    {
        var matrix = new JsonArray();
        for (var row = 0; row < rows; row++)
        {
            var values = new JsonArray();
            for (var column = 0; column < columns; column++)
            {
                values.Add((JsonNode)value(row, column));
            }

            matrix.Add((JsonNode)values);
        }

        return matrix;
    }

    private static JsonArray Bias(int count, double value)
    {
        var bias = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            bias.Add((JsonNode)value);
        }

        return bias;
    }
}
