using Edge.Runtime.Bundles;
using Edge.Runtime.Inference;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Runtime.Tests;

/// <summary>The manifest's batch axis against the ONNX file's, checked when the session is created; and the dynamic-batch fixture itself.</summary>
public sealed class BatchSignatureTests
{
    [Fact]
    public void Create_DynamicManifestForDynamicModel_Runs()
    {
        using var test = TestBundle.CreateBatched(maxBatch: 4);

        using var session = ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1);
        session.Run();

        Assert.Equal(10, session.Output.Length);
    }

    [Fact]
    public void Create_NoBatchFieldForDynamicModel_RunsAtBatchOne()
    {
        using var test = TestBundle.Create(modelPath: TestBundle.TinyBatchModelPath);

        using var session = ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1);
        session.Run();

        Assert.Equal(BatchAxis.Fixed, test.Load().Batch);
        Assert.Equal(3 * 32 * 32, session.Input.Length);
    }

    [Fact]
    public void Create_DynamicManifestForFixedModel_ThrowsNamingBatchDynamicAndTheModelsShape()
    {
        using var test = TestBundle.Create(m => m["batch"] = TestBundle.Batch(dynamic: true, 4));

        var error = Assert.Throws<ModelBundleException>(() => ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1));

        Assert.StartsWith(
            "manifest field 'batch.dynamic' is true but the model's input 'image' is [1, 3, 32, 32]: its batch axis is fixed at 1; expected a symbolic first dimension",
            error.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Create_NoBatchFieldForModelFixedAtFour_ThrowsNamingBatch()
    {
        using var test = TestBundle.Create(modelPath: TestBundle.TinyBatch4ModelPath);

        var error = Assert.Throws<ModelBundleException>(() => ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1));

        Assert.StartsWith(
            "manifest field 'batch' is absent (a fixed batch of 1) but the model's input 'image' is [4, 3, 32, 32]: a fixed batch axis must be 1",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Create_FixedBatchFieldForModelFixedAtFour_ThrowsNamingBatchDynamic()
    {
        using var test = TestBundle.Create(m => m["batch"] = TestBundle.Batch(dynamic: false, 1), TestBundle.TinyBatch4ModelPath);

        var error = Assert.Throws<ModelBundleException>(() => ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1));

        Assert.StartsWith("manifest field 'batch.dynamic' is false (a fixed batch of 1) but the model's input 'image' is [4, 3, 32, 32]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_DynamicManifestForModelFixedAtFour_ThrowsNamingBatchDynamic()
    {
        using var test = TestBundle.Create(m => m["batch"] = TestBundle.Batch(dynamic: true, 4), TestBundle.TinyBatch4ModelPath);

        var error = Assert.Throws<ModelBundleException>(() => ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1));

        Assert.StartsWith("manifest field 'batch.dynamic' is true but the model's input 'image' is [4, 3, 32, 32]: its batch axis is fixed at 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BatchFixture_SameGraphAsTheTinyModel_EachRowOfABatchOfFourEqualsThatImageAlone()
    {
        var random = new Random(5);
        var images = new float[4][];
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = new float[3 * 32 * 32];
            for (var j = 0; j < images[i].Length; j++)
            {
                images[i][j] = random.Next(256);
            }
        }

        using var batched = new InferenceSession(TestBundle.TinyBatchModelPath);
        using var original = new InferenceSession(TestBundle.TinyModelPath);
        var together = Run(batched, images.SelectMany(image => image).ToArray(), images.Length);

        Assert.Equal(4 * 10, together.Length);
        for (var i = 0; i < images.Length; i++)
        {
            var alone = Run(batched, images[i], 1);
            var reference = Run(original, images[i], 1);
            Assert.Equal(reference, alone); // same graph and weights as the fixed-batch fixture
            var row = together.AsSpan(i * 10, 10).ToArray();
            for (var label = 0; label < 10; label++)
            {
                Assert.Equal(alone[label], row[label], 1e-5f);
            }
        }

        Assert.NotEqual(together.AsSpan(0, 10).ToArray(), together.AsSpan(10, 10).ToArray()); // rows are not all one image's
    }

    private static float[] Run(InferenceSession session, float[] input, int batch)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, [batch, 3, 32, 32]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["image"], [value], ["logits"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
