using Edge.Tools.Evaluation.Datasets;

namespace Edge.Tools.Tests.Evaluation.Datasets;

/// <summary>
/// The CSV reader on the committed fixture (Fixtures/datasets/csv: a slice column, an extra column, a quoted file name
/// with a comma, a repeated label, an empty label list, a subfolder, trailing blank lines) and on broken files.
/// </summary>
public sealed class CsvDatasetTests : IDisposable
{
    private readonly TemporaryDataset temporary = new();

    public void Dispose() => temporary.Dispose();

    private static LabeledDataset Fixture() => DatasetReader.Read(TemporaryDataset.Fixture("csv/labels.csv"));

    [Fact]
    public void Read_Fixture_ReadsEveryRowInOrderSkippingTrailingBlankLines()
    {
        var dataset = Fixture();

        Assert.Equal(
            ["red.png", "blue, big.png", "green.png", "yellow.png"],
            dataset.Images.Select(image => Path.GetFileName(image.ImagePath)));
        Assert.Equal(["bird", "cat", "dog"], dataset.LabelNames);
    }

    [Fact]
    public void Read_Fixture_SplitsLabelsOnSemicolons()
    {
        Assert.Equal(["cat", "dog"], Fixture().Images[0].Labels);
    }

    [Fact]
    public void Read_QuotedFieldWithCommaAndDoubledQuotes_IsOneField()
    {
        var image = Fixture().Images[1];

        Assert.Equal(TemporaryDataset.Fixture("csv/blue, big.png"), image.ImagePath);
        Assert.Equal("night", image.Slice);
    }

    [Fact]
    public void Read_LabelRepeatedInRow_KeptOnce()
    {
        Assert.Equal(["dog"], Fixture().Images[1].Labels);
    }

    [Fact]
    public void Read_EmptyLabelsField_GivesNoLabels()
    {
        var image = Fixture().Images[2];

        Assert.Empty(image.Labels);
        Assert.Empty(image.IgnoredLabels);
    }

    [Fact]
    public void Read_LabelsWithSurroundingSpaces_AreTrimmed()
    {
        Assert.Equal(["bird"], Fixture().Images[3].Labels);
    }

    [Fact]
    public void Read_SliceColumn_SetsSliceAndEmptyMeansNone()
    {
        Assert.Equal(["day", "night", "day", null], Fixture().Images.Select(image => image.Slice));
    }

    [Fact]
    public void Read_NoSliceColumn_SliceIsNull()
    {
        temporary.WriteImage("a.png");
        var path = temporary.WriteText("labels.csv", "image,labels\na.png,cat\n");

        Assert.Null(DatasetReader.Read(path).Images.Single().Slice);
    }

    [Fact]
    public void Read_RelativeImagePathInSubfolder_ResolvesAgainstCsvFolder()
    {
        Assert.Equal(TemporaryDataset.Fixture("csv/sub/yellow.png"), Fixture().Images[3].ImagePath);
    }

    [Fact]
    public void Read_AbsoluteImagePath_IsKept()
    {
        var elsewhere = new TemporaryDataset();
        try
        {
            var image = elsewhere.WriteImage("far/away.png");
            var path = temporary.WriteText("labels.csv", $"image,labels\n{image},cat\n");

            Assert.Equal(image, DatasetReader.Read(path).Images.Single().ImagePath);
        }
        finally
        {
            elsewhere.Dispose();
        }
    }

    [Fact]
    public void Read_ImagesDirectoryGiven_ResolvesRelativePathsThere()
    {
        var image = temporary.WriteImage("pictures/a.png");
        var path = temporary.WriteText("meta/labels.csv", "image,labels\na.png,cat\n");

        Assert.Equal(image, DatasetReader.Read(path, imagesDirectory: temporary.PathOf("pictures")).Images.Single().ImagePath);
    }

    [Fact]
    public void Read_WindowsLineEndingsAndBlankLinesBetweenRows_ReadsRows()
    {
        temporary.WriteImage("a.png");
        temporary.WriteImage("b.png");
        var path = temporary.WriteText("labels.csv", "image,labels\r\na.png,cat\r\n\r\nb.png,dog\r\n");

        Assert.Equal(["cat", "dog"], DatasetReader.Read(path).Images.SelectMany(image => image.Labels));
    }

    [Fact]
    public void Read_HeaderInOtherCaseWithByteOrderMark_IsAccepted()
    {
        temporary.WriteImage("a.png");
        var path = temporary.PathOf("labels.csv");
        File.WriteAllText(path, "Image, Labels\na.png,cat\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        Assert.Equal(["cat"], DatasetReader.Read(path).Images.Single().Labels);
    }

    [Theory]
    [InlineData("file,labels\n")]
    [InlineData("labels,image\n")]
    [InlineData("image\n")]
    public void Read_WrongHeader_ThrowsWithLine1(string content)
    {
        var path = temporary.WriteText("labels.csv", content + "a.png,cat\n");

        DatasetAssert.ReadFails(path, null, null, $"{path}:1: header is", "expected it to start with 'image,labels'");
    }

    [Fact]
    public void Read_RowWithExtraField_ThrowsWithLineNumber()
    {
        temporary.WriteImage("a.png");
        var path = temporary.WriteText("labels.csv", "image,labels\na.png,cat\na.png,cat,dog\n");

        DatasetAssert.ReadFails(path, null, null, $"{path}:3: 3 field(s): expected 2");
    }

    [Fact]
    public void Read_RowWithMissingField_ThrowsWithLineNumber()
    {
        var path = temporary.WriteText("labels.csv", "image,labels,slice\na.png,cat\n");

        DatasetAssert.ReadFails(path, null, null, $"{path}:2: 2 field(s): expected 3");
    }

    [Fact]
    public void Read_QuotedFieldSpanningLines_CountsLinesForLaterErrors()
    {
        temporary.WriteImage("a.png");
        var path = temporary.WriteText("labels.csv", "image,labels,note\na.png,cat,\"two\nlines\"\nmissing.png,cat,x\n");

        DatasetAssert.ReadFails(path, null, null, $"{path}:4: image 'missing.png' does not exist");
    }

    [Fact]
    public void Read_UnclosedQuote_ThrowsWithLineItOpenedOn()
    {
        var path = temporary.WriteText("labels.csv", "image,labels\n\"a.png,cat\nb.png,dog\n");

        DatasetAssert.ReadFails(path, null, null, $"{path}:2: quoted field is never closed");
    }

    [Fact]
    public void Read_TextAfterClosingQuote_Throws()
    {
        var path = temporary.WriteText("labels.csv", "image,labels\n\"a.png\"x,cat\n");

        DatasetAssert.ReadFails(path, null, null, $"{path}:2: unexpected 'x' after a closing quote");
    }

    [Fact]
    public void Read_MissingImage_ThrowsNamingImageAndWhereItWasExpected()
    {
        var path = temporary.WriteText("labels.csv", "image,labels\nmissing.png,cat\n");

        DatasetAssert.ReadFails(path, null, null, $"{path}:2: image 'missing.png' does not exist", temporary.PathOf("missing.png"));
    }

    [Fact]
    public void Read_EmptyImageField_Throws()
    {
        var path = temporary.WriteText("labels.csv", "image,labels\n ,cat\n");

        DatasetAssert.ReadFails(path, null, null, $"{path}:2: the 'image' field is empty");
    }

    [Fact]
    public void Read_ImageListedTwice_ThrowsNamingBothLines()
    {
        temporary.WriteImage("a.png");
        var path = temporary.WriteText("labels.csv", "image,labels\na.png,cat\n./a.png,dog\n");

        DatasetAssert.ReadFails(path, null, null, $"{path}:3: image './a.png' is listed again (first on line 2)");
    }

    [Fact]
    public void Read_HeaderOnly_ThrowsEmptyDataset()
    {
        var path = temporary.WriteText("labels.csv", "image,labels\n\n");

        DatasetAssert.ReadFails(path, null, null, $"{path} has a header but no rows");
    }

    [Fact]
    public void Read_EmptyFile_Throws()
    {
        var path = temporary.WriteText("labels.csv", "");

        DatasetAssert.ReadFails(path, null, null, $"{path} is empty");
    }

    [Fact]
    public void Read_FolderWithoutLabelsCsvAsCsv_Throws()
    {
        DatasetAssert.ReadFails(temporary.Root, "csv", null, $"'{temporary.Root}' has no labels.csv");
    }
}
