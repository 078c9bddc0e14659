using Edge.Tools.Evaluation.Datasets;

namespace Edge.Tools.Tests.Evaluation.Datasets;

/// <summary>
/// The VOC reader on the committed fixture (Fixtures/datasets/voc: 000002 a plain "train"; 000005 a chair both
/// difficult and not, a difficult-only pottedplant and a diningtable without &lt;difficult&gt;; 000007 a difficult-only
/// car) and on broken folders.
/// </summary>
public sealed class VocDatasetTests : IDisposable
{
    private readonly TemporaryDataset temporary = new();

    public void Dispose() => temporary.Dispose();

    private static LabeledDataset Fixture() => DatasetReader.Read(TemporaryDataset.Fixture("voc"));

    private string WriteAnnotation(string name, string body) =>
        temporary.WriteText($"Annotations/{name}.xml", $"<annotation>\n{body}\n</annotation>\n");

    [Fact]
    public void Read_Fixture_ReadsAnnotationFilesSortedByName()
    {
        Assert.Equal(
            ["000002.png", "000005.png", "000007.png"],
            Fixture().Images.Select(image => Path.GetFileName(image.ImagePath)));
    }

    [Fact]
    public void Read_Fixture_FindsImagesInJpegImages()
    {
        Assert.Equal(TemporaryDataset.Fixture("voc/JPEGImages/000002.png"), Fixture().Images[0].ImagePath);
    }

    [Fact]
    public void Read_PartNamesInsideObject_AreNotLabels()
    {
        Assert.Equal(["train"], Fixture().Images[0].Labels);
    }

    [Fact]
    public void Read_LabelWithDifficultAndNonDifficultObjects_IsALabel()
    {
        var image = Fixture().Images[1];

        Assert.Contains("chair", image.Labels);
        Assert.DoesNotContain("chair", image.IgnoredLabels);
    }

    [Fact]
    public void Read_LabelWithOnlyDifficultObjects_IsIgnored()
    {
        var image = Fixture().Images[1];

        Assert.Equal(["pottedplant"], image.IgnoredLabels);
        Assert.DoesNotContain("pottedplant", image.Labels);
    }

    [Fact]
    public void Read_ObjectWithoutDifficult_CountsAsNotDifficult()
    {
        Assert.Equal(["chair", "diningtable"], Fixture().Images[1].Labels);
    }

    [Fact]
    public void Read_ImageWithOnlyDifficultObjects_HasNoLabelsAndIgnoresThem()
    {
        var image = Fixture().Images[2];

        Assert.Empty(image.Labels);
        Assert.Equal(["car"], image.IgnoredLabels);
    }

    [Fact]
    public void Read_Fixture_LabelNamesIncludeIgnoredLabels()
    {
        Assert.Equal(["car", "chair", "diningtable", "pottedplant", "train"], Fixture().LabelNames);
    }

    [Fact]
    public void Read_ImagesDirectoryGiven_OverridesJpegImages()
    {
        WriteAnnotation("a", "<filename>a.png</filename>");
        var image = temporary.WriteImage("elsewhere/a.png");

        Assert.Equal(image, DatasetReader.Read(temporary.Root, "voc", temporary.PathOf("elsewhere")).Images.Single().ImagePath);
    }

    [Fact]
    public void Read_AnnotationWithoutObjects_IsKeptWithNoLabels()
    {
        WriteAnnotation("a", "<filename>a.png</filename>");
        temporary.WriteImage("JPEGImages/a.png");

        var image = DatasetReader.Read(temporary.Root).Images.Single();

        Assert.Empty(image.Labels);
        Assert.Empty(image.IgnoredLabels);
    }

    [Fact]
    public void Read_MalformedXml_ThrowsNamingFileAndLine()
    {
        var path = WriteAnnotation("a", "<filename>a.png</filename>\n<object><name>cat</object>");

        DatasetAssert.ReadFails(temporary.Root, null, null, $"{path}:3: not well-formed XML");
    }

    [Fact]
    public void Read_WrongRootElement_Throws()
    {
        var path = temporary.WriteText("Annotations/a.xml", "<annotations><filename>a.png</filename></annotations>");

        DatasetAssert.ReadFails(temporary.Root, null, null, $"{path}:1: root element is <annotations>: expected <annotation>");
    }

    [Fact]
    public void Read_MissingFilename_Throws()
    {
        var path = WriteAnnotation("a", "<object><name>cat</name></object>");

        DatasetAssert.ReadFails(temporary.Root, null, null, $"{path}:1: <annotation> has no <filename>");
    }

    [Fact]
    public void Read_ObjectWithoutName_ThrowsWithLine()
    {
        temporary.WriteImage("JPEGImages/a.png");
        var path = WriteAnnotation("a", "<filename>a.png</filename>\n<object><difficult>0</difficult></object>");

        DatasetAssert.ReadFails(temporary.Root, null, null, $"{path}:3: <object> has no <name>");
    }

    [Fact]
    public void Read_DifficultNotZeroOrOne_ThrowsWithLine()
    {
        temporary.WriteImage("JPEGImages/a.png");
        var path = WriteAnnotation("a", "<filename>a.png</filename>\n<object>\n<name>cat</name>\n<difficult>yes</difficult>\n</object>");

        DatasetAssert.ReadFails(temporary.Root, null, null, $"{path}:5: <difficult> is 'yes': expected 0 or 1");
    }

    [Fact]
    public void Read_MissingImage_ThrowsNamingItAndWhereItWasExpected()
    {
        var path = WriteAnnotation("a", "<filename>a.png</filename>");

        DatasetAssert.ReadFails(temporary.Root, null, null, $"{path}: image 'a.png' named by <filename> does not exist", temporary.PathOf("JPEGImages/a.png"));
    }

    [Fact]
    public void Read_NoAnnotationFiles_ThrowsEmptyDataset()
    {
        Directory.CreateDirectory(temporary.PathOf("Annotations"));

        DatasetAssert.ReadFails(temporary.Root, null, null, $"{temporary.PathOf("Annotations")} has no .xml files");
    }
}
