using Edge.Quantize.Onnx;
using Edge.Quantize.TensorRt;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Quantize.Tests.TensorRt;

/// <summary>Proves the builder writes valid ONNX: it survives a file round trip and ONNX Runtime runs it correctly.</summary>
public sealed class QdqConvModelTests
{
    [Fact]
    public void SaveThenLoad_ReturnsTheSameModel()
    {
        var model = QdqConvModel.Build().ToModel();
        var path = Path.Combine(Path.GetTempPath(), $"qdq-conv-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxModel.Save(model, path);

            var loaded = OnnxModel.Load(path);

            Assert.Equal(model, loaded);
            Assert.Empty(TensorRtQdqRules.Check(loaded));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OnnxRuntime_RunsTheCleanModel_AndMatchesAHandComputedConvolution()
    {
        var model = QdqConvModel.Build().ToModel();
        var input = InputOnTheQuantizationGrid();

        using var session = new InferenceSession(OnnxModel.ToBytes(model));
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, QdqConvModel.InputShape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["x"], [inputValue], ["y"]);

        var output = outputs[0];
        Assert.Equal(QdqConvModel.OutputShape, output.GetTensorTypeAndShape().Shape);
        var actual = output.GetTensorDataAsSpan<float>().ToArray();
        var expected = ReferenceConvolution(input);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(
                Math.Abs(actual[i] - expected[i]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[i])),
                $"y[{i}] = {actual[i]}, expected {expected[i]}");
        }
    }

    /// <summary>Multiples of the input scale inside int8's range, so quantizing them loses nothing and the reference is exact.</summary>
    private static float[] InputOnTheQuantizationGrid() =>
        [.. Enumerable.Range(0, (int)QdqConvModel.InputShape.Aggregate((a, b) => a * b))
            .Select(i => ((i * 29 % 201) - 100) * QdqConvModel.InputScale)];

    private static float[] ReferenceConvolution(float[] input)
    {
        const int c = QdqConvModel.InputChannels, k = QdqConvModel.Kernel, size = QdqConvModel.Size, outSize = QdqConvModel.OutputSize;
        var output = new float[QdqConvModel.OutputChannels * outSize * outSize];
        for (var oc = 0; oc < QdqConvModel.OutputChannels; oc++)
        {
            for (var y = 0; y < outSize; y++)
            {
                for (var x = 0; x < outSize; x++)
                {
                    double sum = QdqConvModel.Bias[oc];
                    for (var ic = 0; ic < c; ic++)
                    {
                        for (var ky = 0; ky < k; ky++)
                        {
                            for (var kx = 0; kx < k; kx++)
                            {
                                var weight = QdqConvModel.Weights[(((oc * c) + ic) * k + ky) * k + kx] * (double)QdqConvModel.WeightScales[oc];
                                sum += input[(ic * size + y + ky) * size + x + kx] * weight;
                            }
                        }
                    }

                    output[(oc * outSize + y) * outSize + x] = (float)sum;
                }
            }
        }

        return output;
    }
}
