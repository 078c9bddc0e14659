using Edge.Quantize.Onnx;

namespace Edge.Quantize.Tests;

public sealed class OnnxModelTests
{
    [Fact]
    public void Load_NotAnOnnxFile_SaysSo()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [0x08, 0x07, 0x12, 0xFF, 0x00, 0x13, 0x37]);

            var error = Assert.Throws<QuantizeException>(() => OnnxModel.Load(path));

            Assert.Contains("is not a valid ONNX file", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_SaysWhatWasExpected()
    {
        var error = Assert.Throws<QuantizeException>(() => OnnxModel.Load("/nonexistent/model.onnx"));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }
}
