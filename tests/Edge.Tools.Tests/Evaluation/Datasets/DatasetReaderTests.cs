using Edge.Tools.Evaluation.Datasets;

namespace Edge.Tools.Tests.Evaluation.Datasets;

/// <summary>Format detection, the checks every format shares, and <see cref="LabeledDataset.LabelNames"/>.</summary>
public sealed class DatasetReaderTests : IDisposable
{
    private readonly TemporaryDataset temporary = new();

    public void Dispose() => temporary.Dispose();

    [Theory]
    [InlineData("csv/labels.csv", "csv", "csv/labels.csv")]
    [InlineData("csv", "csv", "csv/labels.csv")]
    [InlineData("coco/instances.json", "coco", "coco/instances.json")]
    [InlineData("voc", "voc", "voc")]
    public void Read_NoFormat_DetectsFormatFromPath(string path, string format, string source)
    {
        var dataset = DatasetReader.Read(TemporaryDataset.Fixture(path));

        Assert.Equal(format, dataset.Format);
        Assert.Equal(TemporaryDataset.Fixture(source), dataset.Source);
    }

    [Fact]
    public void Read_FolderWithNeitherLabelsCsvNorAnnotations_ThrowsSayingHowToPassFormat()
    {
        temporary.WriteImage("a.png");

        DatasetAssert.ReadFails(temporary.Root, null, null, temporary.Root, "labels.csv", "Annotations/", "--format csv|coco|voc");
    }

    [Fact]
    public void Read_FileWithUnknownExtension_ThrowsSayingHowToPassFormat()
    {
        var path = temporary.WriteText("labels.txt", "image,labels\n");

        DatasetAssert.ReadFails(path, null, null, path, "--format csv|coco|voc");
    }

    [Fact]
    public void Read_ExplicitFormatOnUnusualExtension_ReadsThatFormat()
    {
        temporary.WriteImage("a.png");
        var path = temporary.WriteText("labels.txt", "image,labels\na.png,cat\n");

        var dataset = DatasetReader.Read(path, "csv");

        Assert.Equal("csv", dataset.Format);
        Assert.Equal(["cat"], dataset.Images.Single().Labels);
    }

    [Fact]
    public void Read_MissingPath_ThrowsNamingIt()
    {
        var missing = temporary.PathOf("no-such-dataset.csv");

        DatasetAssert.ReadFails(missing, null, null, $"'{missing}' does not exist");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Read_EmptyPath_ThrowsAskingForOne(string path)
    {
        DatasetAssert.ReadFails(path, null, null, "no dataset path given");
    }

    [Fact]
    public void Read_UnknownFormat_ThrowsListingKnownFormats()
    {
        DatasetAssert.ReadFails(TemporaryDataset.Fixture("csv"), "yolo", null, "'yolo'", "csv, coco, voc");
    }

    [Fact]
    public void Read_FormatInOtherCase_IsAccepted()
    {
        Assert.Equal("voc", DatasetReader.Read(TemporaryDataset.Fixture("voc"), "VOC").Format);
    }

    [Fact]
    public void Read_CocoFormatOnFolder_ThrowsExpectingJsonFile()
    {
        DatasetAssert.ReadFails(TemporaryDataset.Fixture("coco"), "coco", null, "is a folder", "COCO instances JSON file");
    }

    [Fact]
    public void Read_VocFormatOnFolderWithoutAnnotations_Throws()
    {
        DatasetAssert.ReadFails(TemporaryDataset.Fixture("csv"), "voc", null, "has no Annotations/ folder");
    }

    [Fact]
    public void Read_MissingImagesDirectory_ThrowsNamingIt()
    {
        var missing = temporary.PathOf("no-such-images");

        DatasetAssert.ReadFails(TemporaryDataset.Fixture("csv"), null, missing, $"images folder '{missing}' does not exist");
    }

    [Fact]
    public void Read_RelativeDatasetPath_GivesFullPaths()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, TemporaryDataset.Fixture("csv/labels.csv"));

        var dataset = DatasetReader.Read(relative);

        Assert.Equal(TemporaryDataset.Fixture("csv/labels.csv"), dataset.Source);
        Assert.All(dataset.Images, image => Assert.True(Path.IsPathFullyQualified(image.ImagePath), image.ImagePath));
    }

    [Fact]
    public void LabelNames_LabelsAndIgnoredLabels_AreDistinctAndOrdinalSorted()
    {
        var dataset = new LabeledDataset("test", "csv",
        [
            new LabeledImage("/a.png", ["dog", "Zebra"], ["cat"], null),
            new LabeledImage("/b.png", ["cat"], [], null),
            new LabeledImage("/c.png", [], ["ant"], null),
        ]);

        Assert.Equal(["Zebra", "ant", "cat", "dog"], dataset.LabelNames);
    }

    [Fact]
    public void LabelNames_CopyWithFewerImages_ListsOnlyTheirLabels()
    {
        var dataset = new LabeledDataset("test", "csv",
        [
            new LabeledImage("/a.png", ["dog"], [], null),
            new LabeledImage("/b.png", ["cat"], [], null),
        ]);

        var firstOnly = dataset with { Images = [dataset.Images[0]] };

        Assert.Equal(["dog"], firstOnly.LabelNames);
    }
}
