using Edge.Tools.Evaluation.Datasets;

namespace Edge.Tools.Tests.Evaluation.Datasets;

public sealed class LabelsCsvWriterTests : IDisposable
{
    private readonly DirectoryInfo output = Directory.CreateTempSubdirectory("edge-convert-");

    public static TheoryData<string, string> Sources => new()
    {
        { "coco", Path.Combine("coco", "instances.json") },
        { "voc", "voc" },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void Write_AnyFormat_ReadsBackAsTheSameImagesAndLabels(string format, string relativePath)
    {
        var original = DatasetReader.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "datasets", relativePath), format);

        var path = LabelsCsvWriter.Write(original, output.FullName);
        var converted = DatasetReader.Read(path);

        Assert.Equal("csv", converted.Format);
        Assert.Equal(original.Images.Select(i => i.ImagePath), converted.Images.Select(i => i.ImagePath));
        Assert.Equal(original.Images.Select(i => string.Join(';', i.Labels)), converted.Images.Select(i => string.Join(';', i.Labels)));
        Assert.All(converted.Images, image => Assert.True(Path.IsPathFullyQualified(image.ImagePath)));
    }

    [Fact]
    public void Write_PathWithComma_IsQuotedAndReadsBack()
    {
        var image = Path.Combine(output.FullName, "a, b.png");
        File.WriteAllBytes(image, [0]);
        var dataset = new LabeledDataset("test", "csv", [new LabeledImage(image, ["x", "y"], [], "s1")]);

        var converted = DatasetReader.Read(LabelsCsvWriter.Write(dataset, output.FullName));

        Assert.Equal(image, converted.Images[0].ImagePath);
        Assert.Equal(["x", "y"], converted.Images[0].Labels);
        Assert.Equal("s1", converted.Images[0].Slice);
    }

    public void Dispose() => output.Delete(recursive: true);
}
